import { describe, expect, it } from 'vitest';
import { UsageError } from '../spec.js';
import { commandWords } from './shared.js';

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
    ['echo hi | cat', "a pipe ('|') is refused"],
    ['node a.js && rm -rf x', "an and-list ('&&') is refused"],
    ['node a.js > out.log', "a redirection ('>') is refused"],
    ['node a.js; ls', "a command separator (';') is refused"],
    ['node *.js', "a wildcard ('*.js') is refused"],
    ['   ', 'empty'],
  ])('refuses %j, saying what in words', (text, message) => {
    expect(() => commandWords(text)).toThrow(UsageError);
    expect(() => commandWords(text)).toThrow(message);
  });

  it('passes shell syntax that is quoted as an argument', () => {
    expect(commandWords("grep 'a|b' file")).toEqual(['grep', 'a|b', 'file']);
  });
});
