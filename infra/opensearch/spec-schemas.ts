// Compiles the OpenSearch API spec's ISM and SM schemas into validators for the lifecycle core.
// Kept out of functions/core/ because it reads files; the core takes the compiled functions.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import type {
  SchemaValidator,
  SchemaViolation,
  SpecValidators,
} from '../../functions/core/lifecycle/validate.ts';

/** The vendored subset of the spec (see api-spec/README.md); the same files as `../shared/`. */
export const DEFAULT_SPEC_DIR = path.resolve(import.meta.dirname, 'api-spec');

// A base URI only to let ajv resolve the spec's relative `$ref`s (`_common.yaml#/...`) between files.
const BASE = 'https://opensearch-api-spec.local/schemas/';

// ajv-formats is CommonJS; under Node's ESM loader its function sits on `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => void;

function referencedFiles(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) referencedFiles(item, found);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
        const file = value.split('#')[0];
        if (file) found.add(file);
      } else {
        referencedFiles(value, found);
      }
    }
  }
}

/** Loads `file` and every schema file it references, transitively, into `ajv`. */
function loadSchemaFiles(ajv: Ajv2020, schemasDir: string, file: string, loaded: Set<string>): void {
  if (loaded.has(file)) return;
  loaded.add(file);
  const doc = parse(readFileSync(path.join(schemasDir, file), 'utf8')) as Record<string, unknown>;
  ajv.addSchema({ ...doc, $id: `${BASE}${file}` });
  const refs = new Set<string>();
  referencedFiles(doc, refs);
  for (const ref of refs) loadSchemaFiles(ajv, schemasDir, ref, loaded);
}

function toViolations(errors: ErrorObject[] | null | undefined): SchemaViolation[] {
  return (errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? e.keyword }));
}

export function compileSpecValidators(specDir: string = DEFAULT_SPEC_DIR): SpecValidators {
  const schemasDir = path.join(specDir, 'spec', 'schemas');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const loaded = new Set<string>();
  loadSchemaFiles(ajv, schemasDir, 'ism._common.yaml', loaded);
  loadSchemaFiles(ajv, schemasDir, 'sm._common.yaml', loaded);
  const compile = (file: string, schema: string): SchemaValidator => {
    const validate = ajv.compile({ $ref: `${BASE}${file}#/components/schemas/${schema}` });
    return (body) => (validate(body) ? [] : toViolations(validate.errors));
  };
  return {
    ismPolicy: compile('ism._common.yaml', 'PutPolicyRequest'),
    smPolicy: compile('sm._common.yaml', 'CreateUpdatePolicyRequest'),
  };
}
