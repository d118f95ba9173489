import { GrokError } from '../grok/errors.ts';
import type { Parser } from '../types.ts';
import { parseAccess } from './access.ts';
import { parseApacheError } from './apache-error.ts';
import type { GrokParserConfig } from './grok.ts';
import { grokParser } from './grok.ts';
import { parseJson } from './json.ts';
import { parseLogfmt } from './logfmt.ts';
import { parseSyslog } from './syslog.ts';

/**
 * Line parsers by the names used in `infra/pipelines.yaml` (`parsers: [json, logfmt]`).
 *
 * Every entry is a factory taking the pipeline's parser settings, so the ingest step can build all
 * of a pipeline's parsers the same way, once per cold start; only `grok` uses the settings.
 *
 * Time design: parsers never interpret times. A parser that finds the event time leaves its raw
 * text in `@timestamp` (e.g. `10/Oct/2000:13:55:36 -0700`); the pipeline's timestamp step, which
 * lists `@timestamp` among its `fields`, replaces it with the parsed time using the pipeline's
 * `formats` and `timezone` (see `../timestamp.ts`). A JSON line that already carries an ISO
 * `@timestamp` goes through the same step, so there is one place where times are parsed.
 */
export type ParserSettings = {
  grok?: GrokParserConfig;
};

export type ParserFactory = (settings: ParserSettings) => Parser;

const fixed =
  (parser: Parser): ParserFactory =>
  () =>
    parser;

export const parsers = {
  json: fixed(parseJson),
  logfmt: fixed(parseLogfmt),
  nginx_access: fixed(parseAccess),
  apache_access: fixed(parseAccess),
  apache_error: fixed(parseApacheError),
  syslog: fixed(parseSyslog),
  grok: (settings) => {
    if (settings.grok === undefined) throw new GrokError('parser grok needs a `grok` section', 'grok');
    return grokParser(settings.grok);
  },
} as const satisfies Readonly<Record<string, ParserFactory>>;

export type ParserName = keyof typeof parsers;

export function isParserName(name: string): name is ParserName {
  return Object.hasOwn(parsers, name);
}

export type { GrokParserConfig };
export { grokParser, parseAccess, parseApacheError, parseJson, parseLogfmt, parseSyslog };
