/** Where a JSON text first goes wrong, for a message a user can act on. Offsets count UTF-16 units. */
export interface JsonSyntaxPosition {
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** Thrown inside the scanner only; carries the offset of the first bad character. */
class SyntaxAt {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

/**
 * The position where JSON.parse fails on `text`, or undefined if it parses (or
 * is nested too deep to scan). V8's own messages quote the text around the
 * error, which may be an API key, and give no position for the commonest
 * mistake, so files are diagnosed with this instead and never quoted.
 */
export function jsonSyntaxErrorPosition(text: string): JsonSyntaxPosition | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) fail();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const char = text[i];
      if (char === undefined || char < ' ') fail();
      i++;
      if (char === '"') return;
      if (char !== '\\') continue;
      if (text[i] === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
        i += 5;
      } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) {
        i++;
      } else {
        fail();
      }
    }
  };
  const container = (close: '}' | ']'): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (close === '}') {
        skipSpace();
        string();
        skipSpace();
        expect(':');
      }
      value();
      skipSpace();
      if (text[i] !== ',') break;
      i++;
    }
    expect(close);
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') return container('}');
    if (char === '[') return container(']');
    if (char === '"') return string();
    const literal = LITERALS.find((word) => text.startsWith(word, i));
    if (literal) {
      i += literal.length;
      return;
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) fail();
    i = NUMBER.lastIndex;
  };

  let offset: number;
  try {
    value();
    skipSpace();
    if (i === text.length) return undefined;
    offset = i;
  } catch (error) {
    if (!(error instanceof SyntaxAt)) return undefined; // stack overflow on absurd nesting
    offset = error.offset;
  }
  const before = text.slice(0, offset);
  return { offset, line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}
