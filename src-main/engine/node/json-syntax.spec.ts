import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorPosition } from './json-syntax.js';

function agreesWithJsonParse(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('jsonSyntaxErrorPosition', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of [
      '{}',
      ' [ ] ',
      '{"a": [1, -2.5e+3, 0, true, false, null, "x\\"\\u00e9\\n"], "b": {"c": {}}}\n',
      '"just a string"',
      '12',
    ]) {
      expect(agreesWithJsonParse(text)).toBe(true);
      expect(jsonSyntaxErrorPosition(text)).toBeUndefined();
    }
  });

  it.each([
    ['{"api_key": sk-123}', 1, 13],
    ['{\n  "a": 1,\n}', 3, 1],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['{"a": 1', 1, 8],
    ['{"a": 01}', 1, 8],
    ['{"a": "tab\there"}', 1, 11],
    ['{"a": "\\x"}', 1, 9],
    ['{} extra', 1, 4],
    ["{'a': 1}", 1, 2],
    ['', 1, 1],
  ])('finds the first bad character of %j at line %i, column %i', (text, line, column) => {
    expect(agreesWithJsonParse(text)).toBe(false);
    expect(jsonSyntaxErrorPosition(text)).toMatchObject({ line, column });
  });
});
