// Mappings: explicit definitions, dynamic mapping of new fields (OpenSearch's detection rules),
// value checks against mapped types, merge rules and the total-fields count.
import { setOwn } from '../../../functions/core/pipeline/fields.ts';
import { detectDateFormat, parseDate } from './dates.ts';
import { type ErrorDetail, illegalArgument, OpenSearchError } from './errors.ts';

export interface FieldMapping {
  type?: string;
  properties?: Record<string, FieldMapping>;
  fields?: Record<string, FieldMapping>;
  dynamic?: boolean | string;
  format?: string;
  ignore_above?: number;
  path?: string;
  [key: string]: unknown;
}

export type Mappings = FieldMapping;

const LEAF_TYPES = new Set([
  'text',
  'keyword',
  'match_only_text',
  'wildcard',
  'constant_keyword',
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
  'boolean',
  'date',
  'date_nanos',
  'ip',
  'binary',
  'flattened',
  'flat_object',
  'geo_point',
  'geo_shape',
  'alias',
  'token_count',
  'integer_range',
  'long_range',
  'float_range',
  'double_range',
  'date_range',
  'ip_range',
  'completion',
  'search_as_you_type',
  'rank_feature',
  'rank_features',
  'knn_vector',
  'join',
  'percolator',
  'version',
  'murmur3',
  'histogram',
]);
const OBJECT_TYPES = new Set(['object', 'nested']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapperParsing(reason: string, causedBy?: ErrorDetail): OpenSearchError {
  return new OpenSearchError(400, 'mapper_parsing_exception', reason, causedBy ? { causedBy } : {});
}

function isObjectMapping(m: FieldMapping): boolean {
  return m.type === undefined ? m.properties !== undefined || !('type' in m) : OBJECT_TYPES.has(m.type);
}

/** Checks an explicit mapping definition (PUT index / _mapping / templates). */
const ROOT_KEYS = new Set([
  'properties',
  'dynamic',
  '_source',
  '_meta',
  '_routing',
  'date_detection',
  'numeric_detection',
  'dynamic_templates',
  'dynamic_date_formats',
  '_field_names',
  'enabled',
  '_size',
  'derived',
]);

export function validateMappings(input: unknown): Mappings {
  if (input === undefined || input === null) return {};
  if (!isObject(input)) throw mapperParsing('Failed to parse mapping [_doc]: mapping must be an object');
  // `{"_doc": {...}}` is still accepted as the single, typeless mapping.
  const keys = Object.keys(input);
  const mappings = keys.length === 1 && keys[0] === '_doc' && isObject(input._doc) ? input._doc : input;
  const unsupported = Object.entries(mappings).filter(([k]) => !ROOT_KEYS.has(k));
  if (unsupported.length > 0) {
    const list = unsupported
      .map(([k, v]) => `${k} : ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ');
    throw mapperParsing(`Root mapping definition has unsupported parameters:  [${list}]`);
  }
  // Typed mappings (`{"_doc": {...}}`) are gone since 2.0.
  const walk = (props: unknown, prefix: string) => {
    if (!isObject(props)) throw mapperParsing(`Expected map for property [properties] on field [${prefix}]`);
    for (const [name, def] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (!isObject(def))
        throw mapperParsing(
          `Expected map for property [fields] on field [${path}] but got a class java.lang.String`,
        );
      const type = def.type;
      if (type !== undefined) {
        if (typeof type !== 'string' || (!LEAF_TYPES.has(type) && !OBJECT_TYPES.has(type))) {
          throw mapperParsing(
            `Failed to parse mapping [_doc]: No handler for type [${String(type)}] declared on field [${name}]`,
            {
              type: 'mapper_parsing_exception',
              reason: `No handler for type [${String(type)}] declared on field [${name}]`,
            },
          );
        }
        if (type === 'alias' && typeof def.path !== 'string') {
          throw mapperParsing(
            `Failed to parse mapping [_doc]: The [path] property must be specified for field [${name}].`,
          );
        }
      }
      if (def.properties !== undefined) walk(def.properties, path);
      if (def.fields !== undefined) walk(def.fields, path);
    }
  };
  if (mappings.properties !== undefined) walk(mappings.properties, '');
  const dyn = mappings.dynamic;
  if (
    dyn !== undefined &&
    ![true, false, 'true', 'false', 'strict', 'strict_allow_templates', 'runtime'].includes(dyn as never)
  ) {
    throw mapperParsing(`Failed to parse mapping [_doc]: Could not convert [dynamic] to boolean`);
  }
  return structuredClone(mappings) as Mappings;
}

/** Merges a mapping update; a changed field type is an illegal_argument_exception, as in OpenSearch. */
export function mergeMappings(existing: Mappings, update: Mappings): Mappings {
  const out = structuredClone(existing);
  const mergeNode = (target: FieldMapping, source: FieldMapping, path: string) => {
    for (const [key, value] of Object.entries(source)) {
      if (key === 'properties' || key === 'fields') {
        if (target[key] === undefined) target[key] = {};
        const targetProps = target[key] as Record<string, FieldMapping>;
        for (const [name, def] of Object.entries(value as Record<string, FieldMapping>)) {
          const fieldPath = path ? `${path}.${name}` : name;
          const current = targetProps[name];
          if (current === undefined) {
            setOwn(targetProps, name, structuredClone(def));
            continue;
          }
          const currentType = current.type ?? (current.properties ? 'object' : undefined);
          const newType = def.type ?? (def.properties ? 'object' : currentType);
          if (currentType !== undefined && newType !== undefined && currentType !== newType) {
            if (currentType === 'object' || newType === 'object') {
              throw illegalArgument(`can't merge a non object mapping [${fieldPath}] with an object mapping`);
            }
            throw illegalArgument(
              `mapper [${fieldPath}] cannot be changed from type [${currentType}] to [${newType}]`,
            );
          }
          mergeNode(current, def, fieldPath);
        }
      } else {
        setOwn(target, key, structuredClone(value));
      }
    }
  };
  mergeNode(out, update, '');
  return out;
}

/** Number of mapped fields, counted as OpenSearch does for index.mapping.total_fields.limit. */
export function countFields(mappings: Mappings): number {
  let n = 0;
  const walk = (props: Record<string, FieldMapping> | undefined) => {
    if (!props) return;
    for (const def of Object.values(props)) {
      n++;
      walk(def.properties);
      walk(def.fields);
    }
  };
  walk(mappings.properties);
  return n;
}

export function checkFieldLimit(mappings: Mappings, limit: number): void {
  if (countFields(mappings) > limit)
    throw illegalArgument(`Limit of total fields [${limit}] has been exceeded`);
}

/** The mapped type of a dotted field path, resolving objects, multi-fields and aliases. */
export function fieldType(mappings: Mappings, field: string, depth = 0): string | undefined {
  let node: FieldMapping | undefined = mappings;
  const parts = field.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const next: FieldMapping | undefined =
      (node?.properties && Object.hasOwn(node.properties, part) ? node.properties[part] : undefined) ??
      (node?.fields && Object.hasOwn(node.fields, part) ? node.fields[part] : undefined);
    if (!next) return undefined;
    node = next;
  }
  if (!node) return undefined;
  if (node.type === 'alias' && typeof node.path === 'string' && depth < 5)
    return fieldType(mappings, node.path, depth + 1);
  return node.type ?? (node.properties ? 'object' : undefined);
}

function preview(value: unknown): string {
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

const INTEGER_RANGES: Record<string, [number, number]> = {
  long: [-(2 ** 63), 2 ** 63 - 1],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  short: [-32768, 32767],
  byte: [-128, 127],
  unsigned_long: [0, 2 ** 64 - 1],
};

/** Why a value does not fit a leaf type, as OpenSearch's caused_by; undefined when it fits. */
/** A value read as a number the way OpenSearch's numeric fields coerce it, or the problem. */
function numericValue(value: unknown): number | ErrorDetail {
  if (typeof value === 'boolean') {
    return {
      type: 'json_parse_exception',
      reason: `Current token (VALUE_${String(value).toUpperCase()}) not numeric, can not use numeric value accessors`,
    };
  }
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n))
    return { type: 'number_format_exception', reason: `For input string: "${String(value)}"` };
  return n;
}

function valueProblem(m: FieldMapping, value: unknown): ErrorDetail | undefined {
  const type = m.type ?? 'object';
  if (
    isObject(value) &&
    !['flattened', 'flat_object', 'geo_point', 'geo_shape', 'join', 'percolator', 'completion'].includes(
      type,
    ) &&
    !type.endsWith('_range')
  ) {
    return { type: 'illegal_state_exception', reason: `Can't get text on a START_OBJECT at 1:1` };
  }
  switch (type) {
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
    case 'unsigned_long': {
      const parsed = numericValue(value);
      if (typeof parsed !== 'number') return parsed;
      const n = parsed;
      const [min, max] = INTEGER_RANGES[type] ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
      if (n < min || n > max) {
        return {
          type: 'illegal_argument_exception',
          reason: `Value [${String(value)}] is out of range for ${type === 'long' ? 'a long' : `an ${type}`}`,
        };
      }
      return undefined;
    }
    case 'double':
    case 'float':
    case 'half_float':
    case 'scaled_float': {
      const parsed = numericValue(value);
      return typeof parsed === 'number' ? undefined : parsed;
    }
    case 'boolean':
      if (value === true || value === false || value === 'true' || value === 'false' || value === '')
        return undefined;
      return {
        type: 'illegal_argument_exception',
        reason: `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.`,
      };
    case 'date':
    case 'date_nanos': {
      const format = typeof m.format === 'string' ? m.format : undefined;
      if (parseDate(value, format) !== undefined) return undefined;
      return {
        type: 'illegal_argument_exception',
        reason: `failed to parse date field [${String(value)}] with format [${format ?? 'strict_date_optional_time||epoch_millis'}]`,
      };
    }
    case 'ip': {
      const text = String(value);
      const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
      if (v4 ? v4.slice(1).every((p) => Number(p) <= 255) : /^[0-9a-f:.]+$/i.test(text) && text.includes(':'))
        return undefined;
      return { type: 'illegal_argument_exception', reason: `'${text}' is not an IP string literal.` };
    }
    default:
      return undefined;
  }
}

interface WalkContext {
  id: string;
  mutate: boolean;
  changed: boolean;
  templates: DynamicTemplate[];
}

interface DynamicTemplate {
  match_mapping_type?: string;
  match?: string;
  unmatch?: string;
  path_match?: string;
  path_unmatch?: string;
  match_pattern?: string;
  mapping: FieldMapping;
}

/** `dynamic_templates: [{name: {...}}, ...]` as stored, in order. */
function dynamicTemplates(mappings: Mappings): DynamicTemplate[] {
  const list = (mappings as { dynamic_templates?: unknown }).dynamic_templates;
  if (!Array.isArray(list)) return [];
  const out: DynamicTemplate[] = [];
  for (const entry of list) {
    if (!isObject(entry)) continue;
    for (const body of Object.values(entry)) {
      if (isObject(body) && isObject(body.mapping)) out.push(body as unknown as DynamicTemplate);
    }
  }
  return out;
}

function globMatch(pattern: string, text: string, regex: boolean): boolean {
  if (regex) return new RegExp(pattern).test(text);
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${source}$`).test(text);
}

/** OpenSearch's name for what dynamic mapping detected, as `match_mapping_type` uses it. */
function detectedTypeName(detected: FieldMapping): string {
  if (detected.properties) return 'object';
  if (detected.type === 'text') return 'string';
  if (detected.type === 'float') return 'double';
  return String(detected.type);
}

function fillTemplate(value: unknown, name: string, dynamicType: string): unknown {
  if (typeof value === 'string')
    return value.replaceAll('{name}', name).replaceAll('{dynamic_type}', dynamicType);
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, name, dynamicType));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, fillTemplate(v, name, dynamicType));
    return out;
  }
  return value;
}

/** The first dynamic template that matches a new field, as OpenSearch applies them. */
function templateMapping(
  ctx: WalkContext,
  name: string,
  path: string,
  detected: FieldMapping,
): FieldMapping | undefined {
  const type = detectedTypeName(detected);
  for (const t of ctx.templates) {
    const regex = t.match_pattern === 'regex';
    if (t.match_mapping_type && t.match_mapping_type !== '*' && t.match_mapping_type !== type) continue;
    if (t.match !== undefined && !globMatch(t.match, name, regex)) continue;
    if (t.unmatch !== undefined && globMatch(t.unmatch, name, regex)) continue;
    if (t.path_match !== undefined && !globMatch(t.path_match, path, false)) continue;
    if (t.path_unmatch !== undefined && globMatch(t.path_unmatch, path, false)) continue;
    const mapping = fillTemplate(t.mapping, name, type) as FieldMapping;
    // An object template without a type keeps the object; a concrete one needs a type.
    if (type === 'object') return mapping.type ? mapping : { ...mapping, properties: {} };
    return mapping.type ? mapping : { ...detected, ...mapping };
  }
  return undefined;
}

class NeedsUpdate extends Error {}

function dynamicMappingFor(value: unknown): FieldMapping | undefined {
  if (typeof value === 'string') {
    const date = detectDateFormat(value);
    if (date) return date.format ? { type: 'date', format: date.format } : { type: 'date' };
    return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
  }
  if (typeof value === 'number') return Number.isInteger(value) ? { type: 'long' } : { type: 'float' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (isObject(value)) return { properties: {} };
  return undefined;
}

function dynamicSetting(node: FieldMapping, inherited: string): string {
  if (node.dynamic === undefined) return inherited;
  // Without dynamic templates, strict_allow_templates rejects every new field, like strict.
  return node.dynamic === 'strict_allow_templates' ? 'strict' : String(node.dynamic);
}

function walkObject(
  node: FieldMapping,
  obj: Record<string, unknown>,
  prefix: string,
  inherited: string,
  ctx: WalkContext,
): void {
  const dynamic = dynamicSetting(node, inherited);
  for (const [rawKey, value] of Object.entries(obj)) {
    // `{"a.b": 1}` maps like `{"a": {"b": 1}}`.
    const parts = rawKey.split('.');
    if (parts.some((p) => p === '')) {
      throw mapperParsing(`failed to parse`, {
        type: 'illegal_argument_exception',
        reason: `field name cannot be an empty string`,
      });
    }
    let target = node;
    let targetDynamic = dynamic;
    let path = prefix;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] ?? '';
      path = path ? `${path}.${part}` : part;
      const existing =
        target.properties && Object.hasOwn(target.properties, part) ? target.properties[part] : undefined;
      if (existing) {
        if (!isObjectMapping(existing)) {
          throw mapperParsing(
            `Could not dynamically add mapping for field [${path}.${parts.slice(i + 1).join('.')}]. Existing mapping for [${path}] must be of type object but found [${existing.type}].`,
          );
        }
        target = existing;
        targetDynamic = dynamicSetting(existing, targetDynamic);
        continue;
      }
      if (targetDynamic === 'false') {
        target = { properties: {}, dynamic: false };
        continue;
      }
      if (targetDynamic === 'strict') {
        throw new OpenSearchError(
          400,
          'strict_dynamic_mapping_exception',
          `mapping set to strict, dynamic introduction of [${part}] within [${prefix || '_doc'}] is not allowed`,
        );
      }
      if (!ctx.mutate) throw new NeedsUpdate();
      target.properties ??= {};
      const created: FieldMapping = { properties: {} };
      setOwn(target.properties, part, created);
      ctx.changed = true;
      target = created;
    }
    const leaf = parts[parts.length - 1] ?? '';
    walkValue(target, leaf, value, path ? `${path}.${leaf}` : leaf, targetDynamic, ctx, path);
  }
}

function walkValue(
  parent: FieldMapping,
  name: string,
  value: unknown,
  path: string,
  dynamic: string,
  ctx: WalkContext,
  parentPath: string,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) walkValue(parent, name, item, path, dynamic, ctx, parentPath);
    return;
  }
  let mapping =
    parent.properties && Object.hasOwn(parent.properties, name) ? parent.properties[name] : undefined;
  if (!mapping) {
    if (dynamic === 'false') return;
    if (dynamic === 'strict') {
      throw new OpenSearchError(
        400,
        'strict_dynamic_mapping_exception',
        `mapping set to strict, dynamic introduction of [${name}] within [${parentPath || '_doc'}] is not allowed`,
      );
    }
    const found = dynamicMappingFor(value);
    if (!found) return;
    const detected = (ctx.templates.length > 0 && templateMapping(ctx, name, path, found)) || found;
    if (!ctx.mutate) throw new NeedsUpdate();
    parent.properties ??= {};
    setOwn(parent.properties, name, detected);
    ctx.changed = true;
    mapping = detected;
  }
  if (isObjectMapping(mapping)) {
    if (!isObject(value)) {
      throw mapperParsing(
        `object mapping for [${path}] tried to parse field [${name}] as object, but found a concrete value`,
      );
    }
    walkObject(mapping, value, path, dynamic, ctx);
    return;
  }
  const problem = valueProblem(mapping, value);
  if (problem) {
    throw mapperParsing(
      `failed to parse field [${path}] of type [${mapping.type}] in document with id '${ctx.id}'. Preview of field's value: '${preview(value)}'`,
      problem,
    );
  }
}

/**
 * Maps a document: checks every value against the mapping and adds dynamic fields.
 * Returns the (possibly new) mappings and whether they changed; throws mapper_parsing_exception
 * or strict_dynamic_mapping_exception for a document that cannot be indexed.
 */
export function mapDocument(
  mappings: Mappings,
  source: Record<string, unknown>,
  id: string,
): { mappings: Mappings; changed: boolean } {
  const templates = dynamicTemplates(mappings);
  const readonly: WalkContext = { id, mutate: false, changed: false, templates };
  try {
    walkObject(mappings, source, '', 'true', readonly);
    return { mappings, changed: false };
  } catch (error) {
    if (!(error instanceof NeedsUpdate)) throw error;
  }
  const copy = structuredClone(mappings);
  const ctx: WalkContext = { id, mutate: true, changed: false, templates };
  walkObject(copy, source, '', 'true', ctx);
  return { mappings: copy, changed: ctx.changed };
}
