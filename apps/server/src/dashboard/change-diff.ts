import type { DashboardEvent } from '@batchyard/core';

/** What one look at the active rows saw: a key per row and the fields whose change is an event. */
export type Snapshot = Map<string, { event: DashboardEvent; fingerprint: string }>;

const keyOf = (e: DashboardEvent): string => `${e.topic}:${e.id}`;
const fingerprintOf = (e: DashboardEvent): string =>
  e.topic === 'steps' ? `${e.status}/${e.readCount}/${e.writeCount}/${e.commitCount}` : e.status;

export function snapshotOf(events: readonly DashboardEvent[]): Snapshot {
  const s: Snapshot = new Map();
  for (const event of events) s.set(keyOf(event), { event, fingerprint: fingerprintOf(event) });
  return s;
}

/**
 * The events between two looks: rows that are new or whose status/counters moved. A row that
 * left the active set is not an event here (its terminal change arrives from the terminal listener
 * or shows in the next look's recent rows).
 */
export function diffSnapshots(before: Snapshot | undefined, after: Snapshot): DashboardEvent[] {
  if (!before) return [];
  const changed: DashboardEvent[] = [];
  for (const [key, now] of after) {
    if (before.get(key)?.fingerprint !== now.fingerprint) changed.push(now.event);
  }
  return changed;
}
