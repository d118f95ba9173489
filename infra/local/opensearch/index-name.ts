// Index (and alias) name rules, in OpenSearch's order (MetadataCreateIndexService.validateIndexOrAliasName).
import { OpenSearchError } from './errors.ts';

const INVALID_CHARS = [' ', '"', '*', '\\', '<', '|', ',', '>', '/', '?'];

function invalid(name: string, why: string): OpenSearchError {
  return new OpenSearchError(400, 'invalid_index_name_exception', `Invalid index name [${name}], ${why}`, {
    extra: { index_uuid: '_na_', index: name },
  });
}

/** The problem with an index name, or undefined when it is valid. */
export function indexNameProblem(name: string): OpenSearchError | undefined {
  if (INVALID_CHARS.some((c) => name.includes(c))) {
    return invalid(name, `must not contain the following characters [${INVALID_CHARS.join(', ')}]`);
  }
  if (name.includes('#')) return invalid(name, "must not contain '#'");
  if (name.includes(':')) return invalid(name, "must not contain ':'");
  if (name.startsWith('_') || name.startsWith('-') || name.startsWith('+')) {
    return invalid(name, "must not start with '_', '-', or '+'");
  }
  if (name !== name.toLowerCase()) return invalid(name, 'must be lowercase');
  if (name === '.' || name === '..') return invalid(name, "must not be '.' or '..'");
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) return invalid(name, `index name is too long, (${bytes} > 255)`);
  if (name.length === 0) return invalid(name, 'must not be empty');
  return undefined;
}

export function validateIndexName(name: string): void {
  const problem = indexNameProblem(name);
  if (problem) throw problem;
}

/** OpenSearch-style wildcard match (`*` only). */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's').test(value);
}
