import type { Fields } from '../fields.ts';
import { setPath } from '../fields.ts';
import type { Parser } from '../types.ts';

/**
 * logfmt (`level=info msg="hello world" took=12ms`, Heroku/Grafana style) and plain key=value.
 * Values stay strings (typing is a field operation); a bare key is `true`, as in go-logfmt; dotted
 * keys nest (`service.name=api`). A line is logfmt only if it starts with key=value and every
 * token is a key or key=value, so that free text containing `uid=0` is left to the next parser.
 */
export const parseLogfmt: Parser = (line) => {
  const fields: Fields = {};
  const n = line.length;
  let i = 0;
  let pairs = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && !isSpace(line.charCodeAt(i)) && line[i] !== '=' && line[i] !== '"') i++;
    if (i === keyStart) return undefined; // `=value` or a stray quote
    const key = line.slice(keyStart, i);
    if (i >= n || isSpace(line.charCodeAt(i))) {
      if (pairs === 0) return undefined; // free text with a `k=v` inside (syslog, apps)
      setPath(fields, key, true);
      continue;
    }
    if (line[i] === '"') return undefined; // key"…: not logfmt
    i++; // '='
    let value: string;
    if (line[i] === '"') {
      const end = quotedEnd(line, i);
      if (end === -1) return undefined;
      value = unquote(line.slice(i + 1, end));
      i = end + 1;
      if (i < n && !isSpace(line.charCodeAt(i))) return undefined;
    } else {
      const valueStart = i;
      while (i < n && !isSpace(line.charCodeAt(i))) {
        if (line[i] === '"') return undefined;
        i++;
      }
      value = line.slice(valueStart, i);
    }
    setPath(fields, key, value);
    pairs++;
  }
  return pairs > 0 ? fields : undefined;
};

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function quotedEnd(line: string, start: number): number {
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

function unquote(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\(.)/g, (whole, c: string) => ESCAPES[c] ?? whole);
}
