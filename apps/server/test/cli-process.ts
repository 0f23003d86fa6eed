import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The real `batchyard` binary (built by `npm run build`) as a shell user runs it.
export const CLI_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliRun>;
}

/**
 * Starts `batchyard …` against `url` with a clean environment: no terminal (pipes), a fixed width
 * (COLUMNS=100) and no colour, so human output is the same on every machine.
 */
export function startCli(url: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BATCHYARD_URL: url,
      COLUMNS: '100',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

export const runCli = (url: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun> =>
  startCli(url, args, env).done;

/**
 * Human output made comparable across runs: relative times and durations become `<t>`, and the
 * spaces between columns one gap (alignment itself is checked by `expectAligned`).
 */
export function normalise(text: string): string {
  return text
    .replace(/\bin \d+[smhd]\b/g, '<t>')
    .replace(/\b\d+(?:\.\d)?(?:ms|s|m|h|d)(?: \d+(?:s|m|h))?(?: ago)?\b/g, '<t>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
    .replace(/ {2,}/g, '  ')
    .replace(/[ \t]+$/gm, '');
}

/**
 * Whether the table whose header is `lines[0]` is aligned: every column after the first starts
 * (header) where every row has the blank gap before a cell, and no line is wider than `width`.
 * Headers are separated by at least two spaces ("TIME ZONE" is one header).
 */
export function alignmentProblems(lines: readonly string[], width = 100): string[] {
  const [header = '', ...rows] = lines;
  const starts = [...header.matchAll(/ {2,}(?=\S)/g)].map((m) => (m.index ?? 0) + m[0].length);
  const problems: string[] = [];
  for (const line of lines) if (line.length > width) problems.push(`wider than ${width}: ${line}`);
  for (const row of rows) {
    for (const p of starts) if (row[p - 1] !== ' ') problems.push(`column at ${p} not aligned: ${row}`);
  }
  return problems;
}
