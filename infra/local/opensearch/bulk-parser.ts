// Parses an NDJSON `_bulk` body into actions, failing the whole request the way OpenSearch's
// BulkRequestParser does (malformed action line, unknown action or parameter, missing source).
import { illegalArgument, OpenSearchError, validationError } from './errors.ts';

export const BULK_OPS = ['index', 'create', 'update', 'delete'] as const;
export type BulkOp = (typeof BULK_OPS)[number];

export interface BulkAction {
  op: BulkOp;
  /** 1-based line of the action in the body. */
  line: number;
  index: string | undefined;
  id: string | undefined;
  meta: Record<string, unknown>;
  /** The parsed source line (index/create: the document; update: the update body). */
  source?: unknown;
  /** A source line that is not valid JSON: for index/create this fails only that item. */
  sourceError?: string;
}

const META_KEYS = new Set([
  '_index',
  '_id',
  'routing',
  '_routing',
  'version',
  'version_type',
  'if_seq_no',
  'if_primary_term',
  'pipeline',
  'require_alias',
  'retry_on_conflict',
  '_source',
  'op_type',
  'dynamic_templates',
  '_type',
]);

function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export function parseBulkBody(body: string, defaultIndex?: string): BulkAction[] {
  if (body.trim() === '') throw validationError('no requests added');
  if (!body.endsWith('\n')) throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const lines = body.split('\n');
  lines.pop(); // the empty string after the final newline
  const actions: BulkAction[] = [];
  let i = 0;
  while (i < lines.length) {
    const text = (lines[i] ?? '').replace(/\r$/, '');
    const lineNo = i + 1;
    i++;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new OpenSearchError(400, 'json_parse_exception', `${reason} at line [${lineNo}]`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [${Array.isArray(parsed) ? 'START_ARRAY' : 'VALUE_STRING'}]`,
      );
    }
    const keys = Object.keys(parsed);
    const op = keys[0];
    if (keys.length !== 1 || op === undefined || !BULK_OPS.includes(op as BulkOp)) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected field [create], [delete], [index] or [update] but found [${op ?? ''}]`,
      );
    }
    const meta = (parsed as Record<string, unknown>)[op];
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${typeof meta}]`,
      );
    }
    const metaRecord = meta as Record<string, unknown>;
    for (const key of Object.keys(metaRecord)) {
      if (!META_KEYS.has(key))
        throw illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${key}]`);
    }
    const index = metaRecord._index === undefined ? defaultIndex : String(metaRecord._index);
    const id = metaRecord._id === undefined || metaRecord._id === null ? undefined : String(metaRecord._id);
    const action: BulkAction = { op: op as BulkOp, line: lineNo, index, id, meta: metaRecord };
    if (op !== 'delete') {
      if (i >= lines.length) {
        throw illegalArgument(
          `Malformed action/metadata line [${lineNo}], the [${op}] action is missing its source line`,
        );
      }
      const sourceText = (lines[i] ?? '').replace(/\r$/, '');
      i++;
      const problem = jsonProblem(sourceText);
      if (problem !== undefined) {
        // An update body is parsed while reading the request; a document only when it is indexed.
        if (op === 'update')
          throw new OpenSearchError(400, 'json_parse_exception', `${problem} at line [${i}]`);
        action.sourceError = problem;
      } else {
        action.source = JSON.parse(sourceText);
      }
    }
    actions.push(action);
  }
  if (actions.length === 0) throw validationError('no requests added');
  const missing = actions.filter((a) => a.index === undefined);
  if (missing.length > 0) throw validationError(...missing.map(() => 'index is missing'));
  return actions;
}
