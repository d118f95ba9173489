// Index and data-stream names from templates such as `logs-{service.name}-{yyyy.MM.dd}`.
// Field values come from log data, so each one is confined to its place in the name: it cannot
// add a path, a wildcard, a comma-separated second target, or make the name start like `_all`.

import { type Fields, getPath } from './fields.ts';
import { truncateUtf8, utf8Length } from './utf8.ts';

export const MAX_INDEX_NAME_BYTES = 255;
/** A single field value inside a name; longer ones go to the fallback rather than be cut. */
export const MAX_INDEX_VALUE_BYTES = 100;
/** Bound on each per-template cache (date strings, sanitised values). */
const CACHE_LIMIT = 1024;

/** Characters OpenSearch rejects anywhere in an index name (plus every kind of whitespace). */
const FORBIDDEN = /[\\/*?"<>|,#:\s]/u;
const FORBIDDEN_ALL = /[\\/*?"<>|,#:\s]/gu;
const BAD_START = /^[-_+]/;

/** True when OpenSearch accepts `name` as an index or data stream name. */
export function isValidIndexName(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !BAD_START.test(name) &&
    !FORBIDDEN.test(name) &&
    name === name.toLowerCase() &&
    utf8Length(name) <= MAX_INDEX_NAME_BYTES
  );
}

// Inside a name a value keeps letters, marks, digits, `.`, `_` and `-`; anything else becomes `_`.
const VALUE_UNSAFE = /[^\p{L}\p{M}\p{N}._-]+/gu;
const VALUE_EDGES = /^[._-]+|[._-]+$/g;
const HAS_ALNUM = /[\p{L}\p{N}]/u;

/**
 * Makes one field value safe for its place in an index name, or returns undefined when it cannot
 * be (missing, not a scalar, nothing left but punctuation, or too long).
 */
export function sanitizeIndexValue(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
    text = String(value);
  else return undefined;
  // Lower-casing twice: a few characters (e.g. final sigma contexts) are not idempotent in one pass.
  text = text.toLowerCase().toLowerCase().replace(VALUE_UNSAFE, '_').replace(VALUE_EDGES, '');
  if (!HAS_ALNUM.test(text) || utf8Length(text) > MAX_INDEX_VALUE_BYTES) return undefined;
  return text;
}

/**
 * Best-effort repair of a whole name: lowercase, forbidden characters to `_`, no leading `-_+`,
 * cut to 255 bytes at a character boundary; undefined when nothing valid is left.
 */
export function sanitizeIndexName(name: string): string | undefined {
  const repaired = truncateUtf8(
    name
      .toLowerCase()
      .toLowerCase()
      .replace(FORBIDDEN_ALL, '_')
      .replace(/^[-_+]+/, ''),
    MAX_INDEX_NAME_BYTES,
  );
  return isValidIndexName(repaired) ? repaired : undefined;
}

// --- templates -------------------------------------------------------------------------------

export const DATE_TOKENS = ['yyyy', 'yy', 'MM', 'dd', 'HH'] as const;
const DATE_PATTERN = /^(?:yyyy|yy|MM|dd|HH)(?:[._-]?(?:yyyy|yy|MM|dd|HH))*$/;
const DATE_TOKEN = /yyyy|yy|MM|dd|HH/g;
const FIELD_PATH = /^[\p{L}\p{N}_@-]+(?:\.[\p{L}\p{N}_@-]+)*$/u;

/** Common date placeholders, offered as suggestions for typos such as `{yyyy.mm.dd}`. */
export const DATE_EXAMPLES = ['yyyy.MM.dd', 'yyyy-MM-dd', 'yyyy.MM', 'yyyy-MM', 'yyyy.MM.dd.HH', 'yyyy'];

export type TemplatePart =
  | { kind: 'literal'; text: string }
  | { kind: 'field'; path: string; cache: Map<string, string | null> }
  | { kind: 'date'; format: DateFormat };

export interface Template {
  source: string;
  parts: TemplatePart[];
  /** True when every part is literal: the name never changes. */
  constant: boolean;
}

/** Why a template is not acceptable; config.ts turns it into a PipelineConfigError. */
export class TemplateSyntaxError extends Error {
  readonly placeholder: string | undefined;

  constructor(message: string, placeholder?: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.placeholder = placeholder;
  }
}

/** Parses a template; placeholders are field paths or UTC date patterns of `@timestamp`. */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{', i);
    const close = source.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) {
      throw new TemplateSyntaxError(`unmatched "}" at character ${close + 1} in "${source}"`);
    }
    if (open === -1) {
      parts.push(literal(source.slice(i), source));
      break;
    }
    if (open > i) parts.push(literal(source.slice(i, open), source));
    const end = source.indexOf('}', open);
    if (end === -1) throw new TemplateSyntaxError(`unclosed "{" at character ${open + 1} in "${source}"`);
    const inner = source.slice(open + 1, end);
    if (inner.includes('{')) throw new TemplateSyntaxError(`nested "{" in "${source}"`);
    if (DATE_PATTERN.test(inner)) parts.push({ kind: 'date', format: compileDateFormat(inner) });
    else if (FIELD_PATH.test(inner)) parts.push({ kind: 'field', path: inner, cache: new Map() });
    else
      throw new TemplateSyntaxError(
        `placeholder "{${inner}}" is neither a field path nor a date pattern (${DATE_TOKENS.join(', ')})`,
        inner,
      );
    i = end + 1;
  }
  if (parts.length === 0) throw new TemplateSyntaxError('the template is empty');
  const first = parts[0];
  if (first?.kind === 'literal' && (BAD_START.test(first.text) || first.text.startsWith('.'))) {
    throw new TemplateSyntaxError(`"${source}" must not start with "-", "_", "+" or "."`);
  }
  return { source, parts, constant: parts.every((part) => part.kind === 'literal') };
}

function literal(text: string, source: string): TemplatePart {
  if (text !== text.toLowerCase() || FORBIDDEN.test(text)) {
    throw new TemplateSyntaxError(
      `literal text "${text}" in "${source}" is not valid in an index name (use lowercase, no \\ / * ? " < > | , # : or spaces)`,
    );
  }
  return { kind: 'literal', text };
}

/**
 * Renders a template for one document, or returns undefined when a field value cannot be made
 * safe or the result is not a valid name (the caller then routes to the fallback). A rendered
 * name over 255 bytes is not cut: cutting could drop the date and merge unrelated indices.
 */
export function renderTemplate(template: Template, doc: Fields, timestampMs: number): string | undefined {
  return renderTemplateFrom(template, doc, getPath, timestampMs);
}

/** renderTemplate with field values read by `read(source, path)` (a document not yet built). */
export function renderTemplateFrom<S>(
  template: Template,
  source: S,
  read: (source: S, path: string) => unknown,
  timestampMs: number,
): string | undefined {
  if (template.constant) return (template.parts[0] as { text: string } | undefined)?.text ?? '';
  let byField = rendered.get(template);
  if (byField === undefined) {
    byField = new Map();
    rendered.set(template, byField);
  }
  // Pieces come from caches, so the names already rendered are found by comparing them by
  // identity, keyed by the first field's value (a batch carries few services, mostly one day).
  let pieces: string[] | undefined;
  let last: RenderedName | undefined;
  let same = false;
  for (let i = 0; i < template.parts.length; i++) {
    const part = template.parts[i]!;
    let piece: string | undefined;
    if (part.kind === 'literal') piece = part.text;
    else if (part.kind === 'date') piece = formatDate(part.format, timestampMs);
    else piece = fieldValue(part, read(source, part.path));
    if (piece === undefined) {
      // The pieces may have been half updated: forget them, and the name with them.
      if (last !== undefined) last.pieces.length = 0;
      return undefined;
    }
    if (part.kind === 'field' && last === undefined) {
      last = byField.get(piece);
      if (last === undefined) {
        if (byField.size >= CACHE_LIMIT) byField.clear();
        last = { pieces: [], name: '', valid: false };
        byField.set(piece, last);
      }
      same = last.pieces.length === template.parts.length;
      for (let k = 0; same && k < i; k++) same = last.pieces[k] === (pieces?.[k] ?? '');
      if (pieces !== undefined) for (let k = 0; k < i; k++) last.pieces[k] = pieces[k]!;
      pieces = last.pieces;
    }
    pieces ??= new Array<string>(template.parts.length);
    if (pieces[i] !== piece) {
      same = false;
      pieces[i] = piece;
    }
  }
  if (last === undefined) {
    // No field part: a date-only template.
    const name = (pieces ?? []).join('');
    return isValidIndexName(name) ? name : undefined;
  }
  if (!same) {
    last.name = last.pieces.join('');
    last.valid = isValidIndexName(last.name);
  }
  return last.valid ? last.name : undefined;
}

interface RenderedName {
  /** The pieces `name` was joined from; empty until it is first rendered. */
  pieces: string[];
  name: string;
  valid: boolean;
}

/** Names rendered from each template, by the value of its first field. */
const rendered = new WeakMap<Template, Map<string, RenderedName>>();

/** Sanitised values are cached per placeholder: a batch carries few distinct service names. */
function fieldValue(part: { cache: Map<string, string | null> }, value: unknown): string | undefined {
  if (typeof value !== 'string') return sanitizeIndexValue(value);
  const cached = part.cache.get(value);
  if (cached !== undefined) return cached ?? undefined;
  const sanitized = sanitizeIndexValue(value);
  if (part.cache.size >= CACHE_LIMIT) part.cache.clear();
  part.cache.set(value, sanitized ?? null);
  return sanitized;
}

// --- UTC dates with a cache --------------------------------------------------------------------

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A compiled date pattern; formatted strings are cached per UTC day (or hour, with `HH`). */
export interface DateFormat {
  pattern: string;
  bucketMs: number;
  cache: Map<number, string>;
}

export function compileDateFormat(pattern: string): DateFormat {
  return { pattern, bucketMs: pattern.includes('HH') ? HOUR_MS : DAY_MS, cache: new Map() };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Formats epoch milliseconds in UTC; records of one batch mostly share the same day. */
export function formatDate(format: DateFormat, timestampMs: number): string {
  const bucket = Math.floor(timestampMs / format.bucketMs);
  const cached = format.cache.get(bucket);
  if (cached !== undefined) return cached;
  const date = new Date(bucket * format.bucketMs);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const text = format.pattern.replace(DATE_TOKEN, (token) => {
    if (token === 'yyyy') return year;
    if (token === 'yy') return year.slice(-2);
    if (token === 'MM') return pad2(date.getUTCMonth() + 1);
    if (token === 'dd') return pad2(date.getUTCDate());
    return pad2(date.getUTCHours());
  });
  if (format.cache.size >= CACHE_LIMIT) format.cache.clear();
  format.cache.set(bucket, text);
  return text;
}
