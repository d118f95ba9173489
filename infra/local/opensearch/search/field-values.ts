// Reading a field's values from `_source` as OpenSearch indexes them: dotted paths through nested
// objects, literal dotted keys and arrays; multi-fields (`title.keyword`) read their parent.
import { type Fields, getPath } from '../../../../functions/core/pipeline/fields.ts';
import { analyze } from './analyze.ts';
import { parseDate } from './dates.ts';
import type { FieldType, SearchContext, SearchDoc } from './types.ts';

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const INTEGRAL = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
const LEAF_PARENT = new Set([
  'text',
  'keyword',
  'match_only_text',
  'wildcard',
  'constant_keyword',
  'ip',
  'date',
]);

export const isNumericType = (t: FieldType | undefined): boolean => t !== undefined && NUMERIC.has(t);
export const isIntegralType = (t: FieldType | undefined): boolean => t !== undefined && INTEGRAL.has(t);
export const isTextType = (t: FieldType | undefined): boolean => t === 'text' || t === 'match_only_text';

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects the values at a path, descending into arrays of objects (which getPath does not). */
function collect(value: unknown, path: string, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, path, out);
    return;
  }
  if (path === '') {
    out.push(value);
    return;
  }
  if (!isPlainObject(value)) return;
  const direct = getPath(value, path);
  if (direct !== undefined) {
    out.push(direct);
    return;
  }
  // An array somewhere on the way: try each split point whose head is an own key.
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(value, head) && Array.isArray(value[head]))
      collect(value[head], path.slice(dot + 1), out);
  }
}

function flatten(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && v !== undefined) out.push(v);
  };
  values.forEach(walk);
  return out;
}

/** Raw leaf values of a field (arrays flattened, nulls dropped), following multi-fields to the parent. */
export function rawValues(doc: SearchDoc, field: string, ctx: SearchContext): unknown[] {
  if (field === '_id') return [doc.id];
  if (field === '_index') return [doc.index];
  const found: unknown[] = [];
  collect(doc.source, field, found);
  const values = flatten(found);
  if (values.length > 0) return values;
  const dot = field.lastIndexOf('.');
  if (dot === -1) return values;
  const parent = field.slice(0, dot);
  const parentType = ctx.fieldType(doc.index, parent);
  const ownType = ctx.fieldType(doc.index, field);
  const multiField =
    (parentType !== undefined && LEAF_PARENT.has(parentType)) ||
    (ownType === undefined && parentType === undefined && /\.(keyword|raw)$/.test(field));
  if (!multiField) return values;
  const parentValues: unknown[] = [];
  collect(doc.source, parent, parentValues);
  return flatten(parentValues).filter((v) => !isPlainObject(v));
}

const LOOKS_LIKE_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** The mapped type, or what dynamic mapping would have chosen for the doc's value. */
export function typeOf(
  doc: SearchDoc,
  field: string,
  ctx: SearchContext,
  values?: unknown[],
): FieldType | undefined {
  if (field === '_id' || field === '_index') return 'keyword';
  const mapped = ctx.fieldType(doc.index, field);
  if (mapped !== undefined) return mapped;
  const sample = (values ?? rawValues(doc, field, ctx))[0];
  if (sample === undefined) return undefined;
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'long' : 'float';
  if (typeof sample === 'boolean') return 'boolean';
  if (typeof sample === 'string') {
    if (/\.(keyword|raw)$/.test(field)) return 'keyword';
    return LOOKS_LIKE_DATE.test(sample) ? 'date' : 'text';
  }
  if (isPlainObject(sample)) return 'object';
  return undefined;
}

/** A typed field value: numbers for numeric/date/boolean(1/0) fields, strings otherwise. */
export type Typed = number | string;

const f16round = (Math as { f16round?: (x: number) => number }).f16round;

export function toTyped(raw: unknown, type: FieldType | undefined): Typed | undefined {
  if (type === 'date' || type === 'date_nanos') {
    return typeof raw === 'number' ? Math.trunc(raw) : parseDate(raw);
  }
  if (isNumericType(type)) {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n)) return undefined;
    if (isIntegralType(type)) return Math.trunc(n);
    // float and half_float fields store single/half precision: aggregations show 200.3000030517578.
    if (type === 'float') return Math.fround(n);
    if (type === 'half_float') return f16round ? f16round(n) : Math.fround(n);
    return n;
  }
  if (type === 'boolean') {
    if (raw === true || raw === 'true') return 1;
    if (raw === false || raw === 'false' || raw === '') return 0;
    return undefined;
  }
  if (isPlainObject(raw)) return undefined;
  return String(raw);
}

export interface FieldData {
  type: FieldType | undefined;
  /** Typed values (keyword strings, numbers, dates as millis, booleans as 1/0). */
  values: Typed[];
  /** Analysed tokens per value, for text fields. */
  tokens?: string[][];
}

export function fieldData(doc: SearchDoc, field: string, ctx: SearchContext): FieldData {
  const raw = rawValues(doc, field, ctx);
  const type = typeOf(doc, field, ctx, raw);
  if (isTextType(type)) {
    const strings = raw.filter((v) => !isPlainObject(v)).map(String);
    return { type, values: strings, tokens: strings.map(analyze) };
  }
  const values: Typed[] = [];
  for (const r of raw) {
    const t = toTyped(r, type);
    if (t !== undefined) values.push(t);
  }
  return { type, values };
}

/** Dotted paths of every leaf field in a source document, for `*` and wildcard field names. */
export function leafFields(source: Fields): string[] {
  const out = new Set<string>();
  const walk = (value: unknown, prefix: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) walk(v, prefix);
    } else if (isPlainObject(value)) {
      for (const key of Object.keys(value)) walk(value[key], prefix === '' ? key : `${prefix}.${key}`);
    } else if (prefix !== '' && value !== null && value !== undefined) {
      out.add(prefix);
    }
  };
  walk(source, '');
  return [...out];
}
