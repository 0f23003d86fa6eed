/** Form text ↔ API values: one argument per line; properties as `key=value` lines. */

export const parseArguments = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);

export interface ParsedProperties {
  properties: Record<string, string>;
  /** 1-based line numbers without a `=`. */
  badLines: number[];
}

export function parseProperties(text: string): ParsedProperties {
  const properties: Record<string, string> = {};
  const badLines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) badLines.push(i + 1);
    else properties[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return { properties, badLines };
}

export const formatProperties = (p: Record<string, string>): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
