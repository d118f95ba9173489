import { compileGrok } from '../grok/compile.ts';
import { GrokError } from '../grok/errors.ts';
import type { Parser } from '../types.ts';

export type GrokParserConfig = {
  /** Tried in order; the first that matches wins. */
  patterns: readonly string[];
  definitions?: Readonly<Record<string, string>>;
  /** Match whole lines only. */
  anchored?: boolean;
};

/** A parser from grok patterns, each compiled once. Throws GrokError for a bad pattern. */
export function grokParser(config: GrokParserConfig): Parser {
  if (config.patterns.length === 0) throw new GrokError('grok needs at least one pattern', '');
  const compiled = config.patterns.map((pattern) =>
    compileGrok(pattern, config.definitions ?? {}, { anchored: config.anchored ?? false }),
  );
  return (line) => {
    for (const parse of compiled) {
      const fields = parse(line);
      if (fields !== undefined) return fields;
    }
    return undefined;
  };
}
