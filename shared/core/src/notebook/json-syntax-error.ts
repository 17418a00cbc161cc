/**
 * Where a JSON text stops being valid JSON.
 *
 * `JSON.parse` only sometimes reports a position (V8 leaves it out of
 * "Unexpected token" messages), so when it fails we scan the text once more
 * with this small recognizer to tell the user the line and column.
 */

export interface JsonSyntaxError {
  /** What was expected or found, e.g. "expected ',' or '}'". */
  reason: string;
  /** 1-based line and column of the offending character. */
  line: number;
  column: number;
}

class Stop {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    new JsonRecognizer(text).document();
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) return undefined; // e.g. nesting deep enough to overflow the stack
    return { reason: e.reason, ...lineAndColumn(text, e.offset) };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonRecognizer {
  private pos = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.whitespace();
    if (this.pos < this.text.length) this.fail('unexpected text after the end of the JSON value');
  }

  private fail(reason: string): never {
    throw new Stop(reason, this.pos);
  }

  private whitespace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  private value(): void {
    this.whitespace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('unexpected end of file');
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private object(): void {
    this.pos++; // {
    this.whitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a double-quoted property name');
      this.string();
      this.whitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':' after the property name");
      this.pos++;
      this.value();
      this.whitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or '}' after a property value");
      }
    }
  }

  private array(): void {
    this.pos++; // [
    this.whitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.value();
      this.whitespace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or ']' after an array element");
      }
    }
  }

  private string(): void {
    this.pos++; // opening quote
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c.charCodeAt(0) < 0x20) this.fail('control character in a string (a raw line break?)');
      if (c === '\\') {
        const escaped = this.text[this.pos + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('bad \\u escape');
          this.pos += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) this.fail('bad escape in a string');
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    if (!match.test(this.text)) this.fail('malformed number');
    this.pos = match.lastIndex;
  }
}
