import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './cli/commands/index.js';
import { ENV_KEYS, loadConfig } from './config.js';

// The README's configuration and CLI tables, checked against the code they describe, so a new key,
// variable, command or option cannot go undocumented (and a removed one cannot stay documented).
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The rows (cells, trimmed) of the first table after `heading`. */
function tableAfter(heading: string): string[][] {
  const from = README.indexOf(`\n${heading}\n`);
  if (from < 0) throw new Error(`README has no '${heading}'`);
  const lines = README.slice(from).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    // Split on | that is not escaped (`a\|b` inside code).
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const code = (cell: string | undefined): string | undefined =>
  /`([^`]*)`/.exec(cell ?? '')?.[1]?.replace(/\\\|/g, '|');

/** `a.b.c` → value for every leaf of the defaults (arrays are leaves). */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      for (const [p, x] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, x);
  } else out.set(prefix, value);
  return out;
}

describe('README configuration table', () => {
  const rows = tableAfter('## Configuration').map(([env, key, def]) => ({
    env: code(env),
    key: code(key),
    def: code(def),
  }));

  it('lists every environment variable with the key it sets, and no other', () => {
    const documented = Object.fromEntries(
      rows.filter((r) => r.env && r.key && r.key !== 'platforms').map((r) => [r.env, r.key]),
    );
    expect(documented).toEqual(ENV_KEYS);
  });

  it('lists every configuration key with its default', () => {
    const defaults = leaves(loadConfig({}));
    const keys = new Set([...defaults.keys(), ...Object.values(ENV_KEYS)]);
    expect(
      rows
        .map((r) => r.key)
        .filter(Boolean)
        .sort(),
    ).toEqual([...keys].sort());
    for (const [key, value] of defaults) {
      if (Array.isArray(value)) continue;
      expect(rows.find((r) => r.key === key)?.def, key).toBe(String(value));
    }
  });
});

describe('README CLI table', () => {
  const rows = tableAfter('### CLI').map(([usage]) => code(usage)?.replace(/\\\|/g, '|') ?? '');

  it('has one row per command, in the command table’s order', () => {
    expect(rows.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(
      COMMANDS.map((c) => `${c.noun} ${c.verb}`),
    );
  });

  it('names every argument and option of each command', () => {
    for (const c of COMMANDS) {
      const row = rows.find((r) => r.startsWith(`${c.noun} ${c.verb}`)) ?? '';
      for (const p of c.positionals) expect(row, `${c.noun} ${c.verb}`).toContain(`<${p.name}>`);
      for (const o of c.options)
        expect(row, `${c.noun} ${c.verb}`).toMatch(new RegExp(`\\[--${o.name}[ \\]]`));
      const documented = [...row.matchAll(/--([a-z-]+)/g)].map((m) => m[1]);
      expect(documented, `${c.noun} ${c.verb}`).toEqual(c.options.map((o) => o.name));
    }
  });
});

describe('the command table', () => {
  it('gives an option name one kind everywhere, and every command an example', () => {
    const kinds = new Map<string, string>();
    for (const c of COMMANDS) {
      expect(c.examples.length, `${c.noun} ${c.verb}`).toBeGreaterThan(0);
      for (const o of c.options) {
        const kind = o.kind === 'boolean' ? 'boolean' : 'string';
        expect(kinds.get(o.name) ?? kind, `--${o.name}`).toBe(kind);
        kinds.set(o.name, kind);
      }
    }
  });
});
