import { describe, expect, it } from 'vitest';
import { parseEnvironmentList, parseJsonLike, parseKeyValueList, parseList } from './property-text.js';

describe('flat property text', () => {
  it('parses comma lists', () => {
    expect(parseList(' a, b ,,c')).toEqual(['a', 'b', 'c']);
  });

  it('parses k:v lists with colons in values and quoted commas', () => {
    expect(parseKeyValueList('team:data, url:http://x:8080/a,"note":"a, b"')).toEqual({
      team: 'data',
      url: 'http://x:8080/a',
      '"note"': 'a, b',
    });
    expect(() => parseKeyValueList('novalue')).toThrow("entry 'novalue' must have the form key:value");
    expect(() => parseKeyValueList('a:1,a:2')).toThrow("key 'a' is given twice");
  });

  it('parses env lists with quoting', () => {
    expect(parseEnvironmentList('A=1,B="x,y",C=\'z=w\',D="say \\"hi\\"",E=')).toEqual({
      A: '1',
      B: 'x,y',
      C: 'z=w',
      D: 'say "hi"',
      E: '',
    });
    expect(() => parseEnvironmentList('A="open')).toThrow('unterminated " quote');
  });

  it('accepts JSON and the SCDF flow form', () => {
    expect(parseJsonLike('[{"key":"a","operator":"Exists"}]')).toEqual([{ key: 'a', operator: 'Exists' }]);
    expect(
      parseJsonLike(
        "[{key: 'test', value: 'true', operator: 'Equal', effect: NoSchedule, tolerationSeconds: 5}]",
      ),
    ).toEqual([
      { key: 'test', value: 'true', operator: 'Equal', effect: 'NoSchedule', tolerationSeconds: 5 },
    ]);
    expect(parseJsonLike('{a: {b: [1, true, null]}, c: x y}')).toEqual({
      a: { b: [1, true, null] },
      c: 'x y',
    });
    expect(() => parseJsonLike('[{key: 1')).toThrow(/neither JSON .* nor the \{key: value\} flow form/);
  });
});
