import { describe, expect, it } from 'vitest';
import { commandWords, UsageError } from './commands.js';

describe('commandWords (apps register --command)', () => {
  it('keeps quoted words together, as a shell would', () => {
    expect(commandWords(`node "my task.js" --name='a b' plain\\ space`)).toEqual([
      'node',
      'my task.js',
      '--name=a b',
      'plain space',
    ]);
  });

  it('leaves $VARIABLES as text for where the command runs', () => {
    expect(commandWords('sh -c "echo $HOME"')).toEqual(['sh', '-c', 'echo $HOME']);
  });

  it('is undefined when the option is absent', () => {
    expect(commandWords(undefined)).toBeUndefined();
  });

  it.each([
    ['node a.js | tee log', /quote shell syntax/],
    ['node a.js && rm -rf x', /quote shell syntax/],
    ['   ', /empty/],
  ])('refuses %j as a usage error', (text, message) => {
    expect(() => commandWords(text)).toThrow(UsageError);
    expect(() => commandWords(text)).toThrow(message);
  });
});
