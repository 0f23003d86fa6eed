import { type Style, truncate, width } from './style.js';

export interface Column<T> {
  header: string;
  value: (row: T, style: Style) => string;
  /** Only with `-o wide`. */
  wide?: boolean;
  /** Right-aligned (counts). */
  right?: boolean;
  /** Cut to fit the terminal width when the table is too wide (one free-text column per table). */
  flex?: boolean;
}

const GAP = '   ';

/**
 * A kubectl-style table: upper-case headers, columns aligned with three spaces, no borders, no
 * trailing blanks. When the table is wider than the terminal, the flexible column is cut.
 */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], style: Style): string {
  const shown = columns.filter((c) => style.wide || !c.wide);
  const cells = rows.map((row) => shown.map((c) => oneLine(c.value(row, style))));
  const widths = shown.map((c, i) => Math.max(width(c.header), ...cells.map((r) => width(r[i] ?? ''))));
  const flex = shown.findIndex((c) => c.flex);
  const total = widths.reduce((a, b) => a + b, 0) + GAP.length * (shown.length - 1);
  if (flex >= 0 && total > style.width) {
    const room = Math.max(width(shown[flex]?.header ?? ''), 12, (widths[flex] ?? 0) - (total - style.width));
    widths[flex] = Math.min(widths[flex] ?? room, room);
    for (const r of cells) r[flex] = truncate(r[flex] ?? '', room);
  }
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(v)));
        return shown[i]?.right ? `${pad}${v}` : `${v}${pad}`;
      })
      .join(GAP)
      .trimEnd();
  return [line(shown.map((c) => style.paint.bold(c.header))), ...cells.map(line)].join('\n');
}

/** `Key:   value` lines with the values aligned; entries without a value are left out. */
export function fields(entries: readonly [string, string | null | undefined][]): string {
  const present = entries.filter(
    (e): e is [string, string] => e[1] !== null && e[1] !== undefined && e[1] !== '',
  );
  const keyWidth = Math.max(0, ...present.map(([k]) => width(k))) + 1;
  return present
    .map(([k, v]) => `${`${k}:`.padEnd(keyWidth + 1)} ${v.split('\n').join(`\n${' '.repeat(keyWidth + 2)}`)}`)
    .join('\n');
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');
