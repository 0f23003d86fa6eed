import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPLOYER_PROPERTY_KEYS } from './deployer-keys.js';

// The README's property table is what users read; it must list every key the parser accepts.
describe('README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

  it.each(Object.keys(DEPLOYER_PROPERTY_KEYS))('documents %s', (key) => {
    // Table cells may be padded by the formatter.
    expect(readme).toMatch(new RegExp(`\\|\\s*\`${key.replace(/\./g, '\\.')}\`\\s*\\|`));
  });
});
