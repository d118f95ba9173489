import type { Fields } from './fields.ts';

/**
 * A parser turns one log line into fields (nested objects, ECS names), or returns undefined when
 * the line is not in its format so that the next parser can be tried. Parsers never throw on data.
 */
export type Parser = (line: string) => Fields | undefined;

/** A timestamp parser returns epoch milliseconds, or undefined when the value is not in its format. */
export type TimestampParser = (value: string | number) => number | undefined;
