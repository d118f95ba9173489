// Rollover: the next index name (`logs-000001` → `logs-000002`) and condition evaluation.
import { illegalArgument } from './errors.ts';
import { parseByteSize, parseTimeValue } from './units.ts';

const NUMBERED = /^(.*)-(\d+)$/;

/** The next name for a rollover of `current`, as OpenSearch builds it (6-digit zero padding). */
export function nextRolloverName(current: string): string {
  const match = NUMBERED.exec(current);
  if (!match) {
    throw illegalArgument(`index name [${current}] does not match pattern '^.*-\\d+$'`);
  }
  const next = Number.parseInt(match[2] ?? '0', 10) + 1;
  return `${match[1]}-${String(next).padStart(6, '0')}`;
}

/** Name of a data stream's backing index for a generation. */
export function backingIndexName(dataStream: string, generation: number): string {
  return `.ds-${dataStream}-${String(generation).padStart(6, '0')}`;
}

export interface RolloverStats {
  ageMs: number;
  docs: number;
  sizeBytes: number;
}

/** Evaluates conditions; returns `{"[max_docs: 5]": true, ...}` as OpenSearch reports them. */
export function evaluateConditions(
  conditions: Record<string, unknown>,
  stats: RolloverStats,
): Record<string, boolean> {
  const results: Record<string, boolean> = {};
  for (const [name, value] of Object.entries(conditions)) {
    const label = `[${name}: ${String(value)}]`;
    switch (name) {
      case 'max_age':
        results[label] = stats.ageMs >= parseTimeValue(value, 'max_age');
        break;
      case 'max_docs':
        results[label] = stats.docs >= Number(value);
        break;
      case 'max_size':
      case 'max_primary_shard_size':
        results[label] = stats.sizeBytes >= parseByteSize(value, name);
        break;
      default:
        throw illegalArgument(`unknown rollover condition [${name}]`);
    }
  }
  return results;
}
