import { ValueProblem } from '../errors.js';

/**
 * Parses the literal values that pipelines put in NOMAD_VAR_* variables: HCL maps and lists
 * such as `{ 5000 = "http", -7777 = "irc" }` or `[{type = "bind", readonly = true}]`, and their
 * JSON spellings. Only literals: no expressions, no interpolation. Object keys come back as
 * strings, as HCL and JSON both treat them.
 */
export type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

export function parseHclLiteral(text: string): Literal {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipSpace(true);
  if (!parser.atEnd()) parser.fail('unexpected text after the value');
  return value;
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(what: string): never {
    throw new ValueProblem(`${what} at character ${this.pos + 1}`);
  }

  /** Skips blanks and comments; newlines too unless they separate object entries. */
  skipSpace(newlines: boolean): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const m = (newlines ? /^(\s+|#[^\n]*|\/\/[^\n]*)/ : /^([ \t\r]+|#[^\n]*|\/\/[^\n]*)/).exec(rest);
      if (!m) return;
      this.pos += m[0].length;
    }
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  value(): Literal {
    this.skipSpace(true);
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.list();
    if (c === '"') return this.string();
    if (c === '-' || /[0-9]/.test(c)) return this.number();
    const start = this.pos;
    const word = this.word();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    this.pos = start;
    if (word === '') this.fail('expected a value');
    this.fail(`unexpected word ${JSON.stringify(word)}: strings need double quotes`);
  }

  private word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }

  private number(): number {
    const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('expected a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') {
        this.pos = start;
        this.fail('unterminated string');
      }
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === 'u' && /^[0-9a-fA-F]{4}/.test(this.text.slice(this.pos))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else this.fail(`unknown escape \\${e ?? ''}`);
    }
  }

  private key(): string {
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '-' || /[0-9]/.test(c)) return String(this.number());
    const word = this.word();
    if (!word) this.fail('expected a key');
    return word;
  }

  private object(): { [key: string]: Literal } {
    this.pos++; // {
    const out: { [key: string]: Literal } = {};
    for (;;) {
      this.skipSpace(true);
      if (this.peek() === '}') {
        this.pos++;
        return out;
      }
      const key = this.key();
      this.skipSpace(false);
      if (this.peek() !== '=' && this.peek() !== ':') this.fail(`expected = or : after key ${JSON.stringify(key)}`);
      this.pos++;
      if (Object.hasOwn(out, key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      out[key] = this.value();
      this.skipSpace(false);
      const sep = this.peek();
      if (sep === ',' || sep === '\n') this.pos++;
      else if (sep !== '}') this.fail('expected , or } between entries');
    }
  }

  private list(): Literal[] {
    this.pos++; // [
    const out: Literal[] = [];
    for (;;) {
      this.skipSpace(true);
      if (this.peek() === ']') {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpace(true);
      const sep = this.peek();
      if (sep === ',') this.pos++;
      else if (sep !== ']') this.fail('expected , or ] between items');
    }
  }
}
