import type { Fields } from '../fields.ts';
import { setPath } from '../fields.ts';
import type { Parser } from '../types.ts';
import { GrokError } from './errors.ts';
import { GROK_PATTERNS } from './patterns.ts';

export type GrokOptions = {
  /** Require the pattern to match the whole line (`^…$`); Logstash's default is a search. */
  anchored?: boolean;
  /** Keep captures that matched the empty string (Logstash's `keep_empty_captures`). */
  keepEmpty?: boolean;
};

type Conversion = 'string' | 'int' | 'float';

type Capture = { group: string; path: string; type: Conversion };

// In one pass, so that captures are numbered in the text's order: an inline named group
// `(?<field>` (not a lookbehind `(?<=`/`(?<!`, nor an escaped `\(`), or a reference `%{NAME}`,
// `%{NAME:field}`, `%{NAME:field:type}` (field may be `[a][b]` or `a.b`).
const TOKEN = /(?<!\\)\(\?<([^=!>][^>]*)>|%\{([A-Za-z0-9_]+)(?::([^:}]+))?(?::(int|float|string))?\}/g;

/** Logstash field references (`[http][request][method]`) become our dotted paths. */
export function fieldPath(name: string): string {
  const trimmed = name.trim();
  if (!trimmed.startsWith('[')) return trimmed;
  const parts = [...trimmed.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
  return parts.join('.');
}

// Oniguruma syntax that JS regexes lack: atomic groups (only a speed hint in these patterns),
// POSIX classes and absolute anchors.
const POSIX: Readonly<Record<string, string>> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  digit: '0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  word: '\\w',
};

function toJsFlavour(regex: string): string {
  return regex
    .replace(/(?<!\\)\(\?>/g, '(?:')
    .replace(/\[:(\w+):\]/g, (whole, cls: string) => POSIX[cls] ?? whole)
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$');
}

/**
 * Compiles a grok pattern into a parser with one precompiled RegExp. JS group names cannot hold
 * dots or `@`, so every named capture gets a generated name (`g0`, `g1`, …) mapped to its path.
 * Throws GrokError for an unknown pattern name, a recursive definition or an invalid regex.
 */
export function compileGrok(
  pattern: string,
  definitions: Readonly<Record<string, string>> = {},
  options: GrokOptions = {},
): Parser {
  const captures: Capture[] = [];
  const expanding: string[] = [];

  const expand = (text: string): string =>
    text.replace(TOKEN, (_whole, inline?: string, name?: string, field?: string, type?: string) => {
      if (inline !== undefined) {
        const group = `g${captures.length}`;
        captures.push({ group, path: fieldPath(inline), type: 'string' });
        return `(?<${group}>`;
      }
      const ref = name!;
      const body = Object.hasOwn(definitions, ref)
        ? definitions[ref]
        : Object.hasOwn(GROK_PATTERNS, ref)
          ? GROK_PATTERNS[ref]
          : undefined;
      if (body === undefined) throw new GrokError(`Unknown grok pattern %{${ref}}`, ref);
      if (expanding.includes(ref)) {
        throw new GrokError(`Recursive grok pattern: ${[...expanding, ref].join(' -> ')}`, ref);
      }
      // The outer group is numbered before the ones its body holds.
      let open = '(?:';
      if (field !== undefined) {
        const group = `g${captures.length}`;
        captures.push({ group, path: fieldPath(field), type: (type as Conversion | undefined) ?? 'string' });
        open = `(?<${group}>`;
      }
      expanding.push(ref);
      const inner = expand(body);
      expanding.pop();
      return `${open}${inner})`;
    });

  let source = toJsFlavour(expand(pattern));
  if (options.anchored) source = `^(?:${source})$`;
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new GrokError(`Invalid grok pattern ${pattern}: ${(error as Error).message}`, pattern, {
      cause: error,
    });
  }
  const keepEmpty = options.keepEmpty ?? false;
  // Most patterns write each field once: then no per-line record of the fields written is needed.
  const repeats = new Set(captures.map((capture) => capture.path)).size !== captures.length;

  return (line: string): Fields | undefined => {
    const match = regex.exec(line);
    if (match === null) return undefined;
    const groups = match.groups ?? {};
    const fields: Fields = {};
    const seen = repeats ? new Set<string>() : undefined;
    for (const capture of captures) {
      const raw = groups[capture.group];
      // The first capture that matched wins when alternatives write the same field.
      if (raw === undefined || seen?.has(capture.path)) continue;
      if (raw === '' && !keepEmpty) continue;
      seen?.add(capture.path);
      setPath(fields, capture.path, convert(raw, capture.type));
    }
    return fields;
  };
}

function convert(raw: string, type: Conversion): unknown {
  if (type === 'string') return raw;
  const value = type === 'int' ? Number.parseInt(raw, 10) : Number.parseFloat(raw);
  return Number.isFinite(value) ? value : raw;
}
