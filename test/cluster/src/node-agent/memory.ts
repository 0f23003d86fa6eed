import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory of a container = resident set size of its process group, read from /proc. The node
 * agent starts each container as a process-group leader, so the group id is the container's pid
 * and every child a shell script forks is counted, the way a cgroup would count them.
 */

const PAGE_SIZE = 4096;

/** RSS in bytes per process-group id, for the groups asked about. */
export function groupRss(groups: ReadonlySet<number>): Map<number, number> {
  const totals = new Map<number, number>();
  if (groups.size === 0) return totals;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return totals;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    if (!groups.has(pgrp)) continue;
    const rssPages = Number(fields[21]);
    totals.set(pgrp, (totals.get(pgrp) ?? 0) + rssPages * PAGE_SIZE);
  }
  return totals;
}

export interface MemoryWatch {
  pgid: number;
  limitBytes: number;
  onExceeded(rss: number): void;
}

/** One periodic /proc scan for all containers with a memory limit. */
export class MemorySampler {
  private readonly watches = new Set<MemoryWatch>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 100) {}

  add(w: MemoryWatch): () => void {
    this.watches.add(w);
    if (!this.timer) {
      this.timer = setInterval(() => this.sample(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.watches.delete(w);
      if (this.watches.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private sample(): void {
    const rss = groupRss(new Set([...this.watches].map((w) => w.pgid)));
    for (const w of [...this.watches]) {
      const used = rss.get(w.pgid) ?? 0;
      if (used > w.limitBytes) {
        this.watches.delete(w);
        w.onExceeded(used);
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watches.clear();
  }
}
