// Lucene query syntax (query_string and the `q=` parameter) and simple_query_string syntax, parsed
// into query DSL objects. Clause handling follows Lucene's classic QueryParser (`addClause`).
import { parsingError } from './errors.ts';

export interface QueryStringOptions {
  mode: 'lucene' | 'simple';
  /** Default fields (`*`, `title*`, `title^2`). */
  fields: string[];
  defaultOperator: 'and' | 'or';
  /** Ignore type errors (a word against a numeric field), as OpenSearch does for `*`. */
  lenient: boolean;
}

/** Internal query: the best of `build(field)` over the (expanded) fields. */
export interface PerField {
  fields: string[];
  lenient: boolean;
  build: (field: string) => unknown;
}

type Occur = 'must' | 'should' | 'must_not';
type Conj = 'none' | 'and' | 'or';
type Mod = 'none' | 'not' | 'req';

const LUCENE_END = /[\s()^~":]/;
const SIMPLE_END = /[\s()|+"~]/;

class Parser {
  private i = 0;
  private readonly s: string;
  private readonly opts: QueryStringOptions;

  constructor(s: string, opts: QueryStringOptions) {
    this.s = s;
    this.opts = opts;
  }

  parse(): unknown {
    const q = this.parseClauses(this.opts.fields, false);
    this.skipWs();
    if (this.i < this.s.length) throw this.error(`Encountered "${this.s[this.i]}"`);
    return q;
  }

  private error(message: string): Error {
    const e = parsingError(`Failed to parse query [${this.s}]: ${message} at column ${this.i + 1}`);
    return Object.assign(e, { type: 'query_shard_exception' });
  }

  private skipWs(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }

  private peekWord(word: string): boolean {
    if (!this.s.startsWith(word, this.i)) return false;
    const after = this.s[this.i + word.length];
    return after === undefined || /[\s(]/.test(after);
  }

  private parseClauses(fields: string[], nested: boolean): unknown {
    const clauses: Array<{ occur: Occur; q: unknown }> = [];
    const lucene = this.opts.mode === 'lucene';
    for (;;) {
      this.skipWs();
      if (this.i >= this.s.length || (this.s[this.i] === ')' && nested)) break;
      if (this.s[this.i] === ')') throw this.error('Encountered ")"');
      let conj: Conj = 'none';
      if (clauses.length > 0) {
        if (lucene && (this.peekWord('AND') || this.s.startsWith('&&', this.i))) {
          conj = 'and';
          this.i += this.s[this.i] === '&' ? 2 : 3;
        } else if (lucene && (this.peekWord('OR') || this.s.startsWith('||', this.i))) {
          conj = 'or';
          this.i += 2;
        } else if (!lucene && (this.s[this.i] === '|' || this.s[this.i] === '+')) {
          conj = this.s[this.i] === '|' ? 'or' : 'and';
          while (this.s[this.i] === '|' || this.s[this.i] === '+') this.i++;
        }
        this.skipWs();
      }
      let mod: Mod = 'none';
      const c = this.s[this.i];
      if (c === '+' && lucene) {
        mod = 'req';
        this.i++;
      } else if (c === '-' || (c === '!' && lucene)) {
        mod = 'not';
        this.i++;
      } else if (lucene && this.peekWord('NOT')) {
        mod = 'not';
        this.i += 3;
      } else if (!lucene && c === '+') {
        this.i++;
      }
      this.skipWs();
      if (this.i >= this.s.length) {
        if (lucene) throw this.error('Encountered "<EOF>"');
        break;
      }
      let q = this.parseClause(fields);
      if (!lucene && mod === 'not') {
        // simple_query_string: `-x` means "everything but x", combined with the default operator.
        q = { bool: { must_not: [q] } };
        mod = 'none';
      }
      this.addClause(clauses, conj, mod, q);
    }
    if (clauses.length === 0) return { match_none: {} };
    if (clauses.length === 1 && clauses[0]?.occur !== 'must_not') return clauses[0]?.q;
    const bool: Record<string, unknown[]> = {};
    for (const { occur, q } of clauses) {
      const list = bool[occur] ?? [];
      list.push(q);
      bool[occur] = list;
    }
    return { bool };
  }

  private addClause(clauses: Array<{ occur: Occur; q: unknown }>, conj: Conj, mod: Mod, q: unknown): void {
    const last = clauses[clauses.length - 1];
    if (last && conj === 'and' && last.occur !== 'must_not') last.occur = 'must';
    if (last && this.opts.defaultOperator === 'and' && conj === 'or' && last.occur !== 'must_not') {
      last.occur = 'should';
    }
    const prohibited = mod === 'not';
    let required: boolean;
    if (this.opts.defaultOperator === 'or') {
      required = mod === 'req' || (conj === 'and' && !prohibited);
    } else {
      required = !prohibited && conj !== 'or';
    }
    clauses.push({ occur: prohibited ? 'must_not' : required ? 'must' : 'should', q });
  }

  private parseClause(fields: string[]): unknown {
    if (this.s[this.i] === '(') {
      this.i++;
      const q = this.parseClauses(fields, true);
      if (this.s[this.i] !== ')') throw this.error('Missing ")"');
      this.i++;
      return this.suffixes(q);
    }
    if (this.opts.mode === 'lucene') {
      const save = this.i;
      const field = this.readWord(LUCENE_END);
      if (field.raw !== '' && this.s[this.i] === ':') {
        this.i++;
        this.skipWs();
        const target = [field.text];
        if (field.text === '_exists_') {
          const name = this.readWord(LUCENE_END);
          return { exists: { field: name.text } };
        }
        if (this.s[this.i] === '(') {
          this.i++;
          const q = this.parseClauses(target, true);
          if (this.s[this.i] !== ')') throw this.error('Missing ")"');
          this.i++;
          return this.suffixes(q);
        }
        return this.parseTerm(target);
      }
      this.i = save;
    }
    return this.parseTerm(fields);
  }

  private readWord(end: RegExp): { raw: string; text: string; wildcard: boolean } {
    let raw = '';
    let text = '';
    let wildcard = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i] as string;
      if (c === '\\' && this.i + 1 < this.s.length) {
        raw += c + this.s[this.i + 1];
        text += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (end.test(c)) break;
      if (c === '*' || c === '?') wildcard = true;
      raw += c;
      text += c;
      this.i++;
    }
    return { raw, text, wildcard };
  }

  private parseTerm(fields: string[]): unknown {
    const lucene = this.opts.mode === 'lucene';
    const c = this.s[this.i];
    if (c === '"') {
      this.i++;
      let text = '';
      while (this.i < this.s.length && this.s[this.i] !== '"') {
        if (this.s[this.i] === '\\' && this.i + 1 < this.s.length) this.i++;
        text += this.s[this.i];
        this.i++;
      }
      if (this.s[this.i] !== '"') throw this.error('Lexical error: unterminated quote');
      this.i++;
      const slop = this.fuzz();
      return this.suffixes(
        this.perField(fields, (f) => ({ match_phrase: { [f]: { query: text, slop: slop ?? 0 } } })),
      );
    }
    if (lucene && (c === '[' || c === '{')) return this.suffixes(this.parseRange(fields));
    if (lucene && (c === '>' || c === '<')) {
      const op = this.s[this.i + 1] === '=' ? `${c}=` : c;
      this.i += op.length;
      const value = this.readWord(LUCENE_END).text;
      const key = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' }[op] as string;
      return this.perField(fields, (f) => ({ range: { [f]: { [key]: value } } }));
    }
    const word = this.readWord(lucene ? LUCENE_END : SIMPLE_END);
    if (word.raw === '') throw this.error(`Encountered "${this.s[this.i] ?? '<EOF>'}"`);
    if (lucene && (word.raw === 'AND' || word.raw === 'OR' || word.raw === 'NOT')) {
      throw this.error(`Encountered " <${word.raw}> "${word.raw} ""`);
    }
    const fuzzy = this.fuzz();
    let q: unknown;
    if (word.text === '*' && word.wildcard) {
      q = fields.length === 1 && fields[0] !== '*' ? { exists: { field: fields[0] } } : { match_all: {} };
    } else if (!lucene && word.wildcard && word.raw.endsWith('*')) {
      const prefix = word.text.slice(0, -1).toLowerCase();
      q = this.perField(fields, (f) => ({ prefix: { [f]: { value: prefix } } }));
    } else if (lucene && word.wildcard) {
      q = this.perField(fields, (f) => ({ wildcard: { [f]: { value: word.text, _normalize: true } } }));
    } else if (fuzzy !== undefined) {
      q = this.perField(fields, (f) => ({
        fuzzy: { [f]: { value: word.text.toLowerCase(), fuzziness: fuzzy } },
      }));
    } else {
      const operator = this.opts.defaultOperator;
      q = this.perField(fields, (f) => ({
        match: { [f]: { query: word.text, operator, lenient: this.opts.lenient } },
      }));
    }
    return this.suffixes(q);
  }

  private parseRange(fields: string[]): unknown {
    const open = this.s[this.i];
    this.i++;
    const close = this.s.slice(this.i).search(/[\]}]/);
    if (close === -1) throw this.error('Missing "]"');
    const inner = this.s.slice(this.i, this.i + close);
    const closeChar = this.s[this.i + close];
    this.i += close + 1;
    const m = /^\s*(.*?)\s+TO\s+(.*?)\s*$/.exec(inner);
    if (!m) throw this.error(`Invalid range [${inner}]`);
    const unquote = (v: string): string => v.replace(/^"(.*)"$/, '$1');
    const lo = unquote(m[1] as string);
    const hi = unquote(m[2] as string);
    const spec: Record<string, string> = {};
    if (lo !== '*') spec[open === '[' ? 'gte' : 'gt'] = lo;
    if (hi !== '*') spec[closeChar === ']' ? 'lte' : 'lt'] = hi;
    return this.perField(fields, (f) => ({ range: { [f]: spec } }));
  }

  private fuzz(): number | undefined {
    if (this.s[this.i] !== '~') return undefined;
    this.i++;
    const m = /^\d+(\.\d+)?/.exec(this.s.slice(this.i));
    if (!m) return 2; // `~` alone: Lucene's default edit distance
    this.i += m[0].length;
    return Number(m[0]);
  }

  private suffixes(q: unknown): unknown {
    if (this.opts.mode === 'lucene' && this.s[this.i] === '^') {
      this.i++;
      const m = /^\d+(\.\d+)?/.exec(this.s.slice(this.i));
      if (!m) throw this.error('Invalid boost');
      this.i += m[0].length;
      return { bool: { must: [q], boost: Number(m[0]) } };
    }
    return q;
  }

  private perField(fields: string[], build: (field: string) => unknown): unknown {
    const only = fields[0];
    if (fields.length === 1 && only !== undefined && !only.includes('*') && !only.includes('^'))
      return build(only);
    const spec: PerField = { fields, lenient: this.opts.lenient, build };
    return { _per_field: spec };
  }
}

/** Parses query text into a query DSL object (may contain internal `_per_field` queries). */
export function parseQueryString(text: string, opts: QueryStringOptions): unknown {
  if (text.trim() === '') return opts.mode === 'simple' ? { match_all: {} } : { match_none: {} };
  return new Parser(text, opts).parse();
}
