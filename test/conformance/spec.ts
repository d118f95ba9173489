// The OpenSearch OpenAPI 3.1 spec: finds the operation a request hits and validates response bodies
// against the documented schema with ajv (draft 2020-12). Every spec file is registered under an id
// made from its path, so cross-file `$ref`s (`../schemas/_common.yaml#/...`) resolve as written.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { SpecError } from './errors.ts';

const BASE = 'https://sluice.local/spec/';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

type Doc = Record<string, unknown>;

export type Operation = {
  template: string;
  method: string;
  operationId: string;
  /** Spec file (relative to spec/) and JSON pointer of the operation's `responses`. */
  file: string;
  responses: Record<string, unknown>;
};

export type SchemaCheck = { ok: true; note?: string } | { ok: false; reason: string };

// ajv-formats is CommonJS with a default export; under Node's ESM loader it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listYaml(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listYaml(path.join(dir, entry.name), rel));
    else if (entry.name.endsWith('.yaml')) out.push(rel);
  }
  return out.sort();
}

/** Splits a path into segments, ignoring the leading slash and a trailing one. */
function segments(p: string): string[] {
  const trimmed = p.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

const isParam = (segment: string): boolean => /^\{[^}]+\}$/.test(segment);

/** Whether a concrete path fits a spec path template. */
export function matchesTemplate(template: string, concrete: string): boolean {
  const t = segments(template);
  const c = segments(concrete.split('?')[0] ?? '');
  if (t.length !== c.length) return false;
  return t.every((seg, i) => (isParam(seg) ? (c[i] ?? '') !== '' : seg === c[i]));
}

/** Orders templates most specific first: a literal segment beats a placeholder, left to right. */
export function compareSpecificity(a: string, b: string): number {
  const sa = segments(a);
  const sb = segments(b);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const pa = isParam(sa[i] ?? '');
    const pb = isParam(sb[i] ?? '');
    if (pa !== pb) return pa ? 1 : -1;
  }
  return 0;
}

/** The most specific template among `templates` that the concrete path fits. */
export function pickTemplate(templates: Iterable<string>, concrete: string): string | undefined {
  const fits = [...templates].filter((t) => matchesTemplate(t, concrete));
  fits.sort(compareSpecificity);
  return fits[0];
}

function decodePointerSegment(s: string): string {
  return decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
}

function encodePointerSegment(s: string): string {
  return encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));
}

export class OpenApiSpec {
  readonly #docs = new Map<string, Doc>();
  readonly #paths = new Map<string, Map<string, Operation>>();
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(specDir: string) {
    this.#ajv = new Ajv2020({ strict: false, allErrors: false, logger: false, validateSchema: false });
    addFormats(this.#ajv);
    let files: string[];
    try {
      files = listYaml(specDir);
    } catch (cause) {
      throw new SpecError(`cannot read spec folder ${specDir}`, { cause });
    }
    for (const file of files) {
      const doc = parse(readFileSync(path.join(specDir, file), 'utf8')) as unknown;
      if (!isObject(doc)) continue;
      this.#docs.set(file, doc);
      // `$schema` names the spec's own meta-schemas, which ajv cannot load: drop it from ajv's copy.
      const { $schema: _ignored, ...schema } = doc;
      this.#ajv.addSchema(schema, BASE + file);
    }
    for (const [file, doc] of this.#docs) {
      if (!file.startsWith('namespaces/') || !isObject(doc.paths)) continue;
      for (const [template, item] of Object.entries(doc.paths)) {
        if (!isObject(item)) continue;
        const byMethod = this.#paths.get(template) ?? new Map<string, Operation>();
        for (const method of METHODS) {
          const op = item[method];
          if (!isObject(op)) continue;
          byMethod.set(method.toUpperCase(), {
            template,
            method: method.toUpperCase(),
            operationId: String(op.operationId ?? `${method} ${template}`),
            file,
            responses: isObject(op.responses) ? op.responses : {},
          });
        }
        this.#paths.set(template, byMethod);
      }
    }
  }

  get templates(): string[] {
    return [...this.#paths.keys()];
  }

  /** The operation a concrete request hits, most specific path template first. */
  findOperation(method: string, concretePath: string): Operation | undefined {
    const upper = method.toUpperCase();
    const candidates = [...this.#paths.entries()].filter(([, ops]) => ops.has(upper)).map(([t]) => t);
    const template = pickTemplate(candidates, concretePath);
    return template === undefined ? undefined : this.#paths.get(template)?.get(upper);
  }

  /** Resolves a `$ref` (relative to `file`) to its file and JSON pointer segments. */
  #resolveRef(file: string, ref: string): { file: string; pointer: string[] } {
    const [target = '', fragment = ''] = ref.split('#');
    const resolved =
      target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
    const pointer = fragment
      .split('/')
      .filter((s) => s !== '')
      .map(decodePointerSegment);
    return { file: resolved, pointer };
  }

  #at(file: string, pointer: string[]): unknown {
    let current: unknown = this.#docs.get(file);
    for (const seg of pointer) {
      if (!isObject(current) || !Object.hasOwn(current, seg)) return undefined;
      current = current[seg];
    }
    return current;
  }

  /** Follows `$ref`s until a concrete object; returns where it lives. */
  #deref(
    file: string,
    pointer: string[],
    value: unknown,
  ): { file: string; pointer: string[]; value: unknown } {
    let here = { file, pointer, value };
    for (let hops = 0; hops < 20 && isObject(here.value) && typeof here.value.$ref === 'string'; hops++) {
      const next = this.#resolveRef(here.file, here.value.$ref);
      here = { ...next, value: this.#at(next.file, next.pointer) };
    }
    return here;
  }

  /**
   * Validates a response body against the operation's documented response for this status and
   * content type. A documented response without a schema accepts any body; an undocumented status or
   * content type fails, as a real cluster's answers are expected to be in the spec.
   */
  validateResponse(op: Operation, status: number, contentType: string, body: unknown): SchemaCheck {
    const key = String(status);
    const entry = op.responses[key] ?? op.responses[`${key[0]}XX`] ?? op.responses.default;
    if (entry === undefined) {
      return { ok: false, reason: `spec documents no ${status} response for ${op.operationId}` };
    }
    const responsePointer = [
      'paths',
      op.template,
      op.method.toLowerCase(),
      'responses',
      op.responses[key] !== undefined
        ? key
        : op.responses[`${key[0]}XX`] !== undefined
          ? `${key[0]}XX`
          : 'default',
    ];
    const response = this.#deref(op.file, responsePointer, entry);
    if (!isObject(response.value))
      return { ok: false, reason: `unresolvable response ${status} of ${op.operationId}` };
    const content = response.value.content;
    if (content === undefined) return { ok: true, note: 'no content documented' };
    if (!isObject(content) || !isObject(content[contentType])) {
      return {
        ok: false,
        reason: `spec documents no ${contentType} body for ${status} of ${op.operationId}`,
      };
    }
    const media = content[contentType] as Doc;
    if (media.schema === undefined) return { ok: true, note: 'no schema documented' };
    if (body === undefined) return { ok: false, reason: `empty body, spec expects ${contentType}` };
    const pointer = [...response.pointer, 'content', contentType, 'schema'];
    const uri = `${BASE}${response.file}#/${pointer.map(encodePointerSegment).join('/')}`;
    let validate = this.#validators.get(uri);
    if (validate === undefined) {
      try {
        validate = this.#ajv.compile({ $ref: uri });
      } catch (cause) {
        return { ok: false, reason: `schema ${uri} does not compile: ${(cause as Error).message}` };
      }
      this.#validators.set(uri, validate);
    }
    if (validate(body)) return { ok: true };
    const first = validate.errors?.[0];
    const where = first?.instancePath === '' || first === undefined ? '(root)' : first.instancePath;
    const more = (validate.errors?.length ?? 0) > 1 ? ` (+${(validate.errors?.length ?? 1) - 1} more)` : '';
    return { ok: false, reason: `schema: ${where} ${first?.message ?? 'invalid'}${more}` };
  }
}

/** The spec folder next to the repository: `../shared/opensearch-api-spec/`. */
export const SPEC_ROOT = path.resolve(import.meta.dirname, '../../../shared/opensearch-api-spec');
