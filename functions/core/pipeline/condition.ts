// Conditions over one event's fields (used by `drop`). Compiled once: regexes are built at
// configuration time, never per record.

import { type Fields, getPath } from './fields.ts';

export type Condition =
  | { field: string; op: 'equals'; value: unknown }
  | { field: string; op: 'in'; values: ReadonlySet<unknown> }
  | { field: string; op: 'matches'; regex: RegExp }
  | { field: string; op: 'exists'; exists: boolean };

export const ConditionOps = ['equals', 'in', 'matches', 'exists'] as const;

export function testCondition(condition: Condition, fields: Fields): boolean {
  const value = getPath(fields, condition.field);
  switch (condition.op) {
    case 'equals':
      return value === condition.value;
    case 'in':
      return condition.values.has(value);
    case 'matches':
      // No `g`/`y` flag is allowed at compile time, so `test` keeps no state between records.
      return typeof value === 'string' && condition.regex.test(value);
    case 'exists':
      return (value !== undefined && value !== null) === condition.exists;
  }
}
