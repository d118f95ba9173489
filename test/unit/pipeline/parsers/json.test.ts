import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../../functions/core/pipeline/parsers/json.ts';

describe('json parser', () => {
  it.each([
    [
      '{"level":"info","msg":"started","service":{"name":"api"}}',
      { level: 'info', msg: 'started', service: { name: 'api' } },
    ],
    ['  {"a":1}\n', { a: 1 }],
    ['\uFEFF{"bom":true}', { bom: true }],
    [
      '{"@timestamp":"2024-03-01T10:00:00Z","log.level":"warn"}',
      { '@timestamp': '2024-03-01T10:00:00Z', 'log.level': 'warn' },
    ],
    ['{}', {}],
  ])('%s', (line, expected) => {
    expect(parseJson(line)).toEqual(expected);
  });

  it.each(['[1,2]', '42', '"text"', 'null', 'true', '{"a":', '{a:1}', '', 'plain text', '{"a":1} trailing'])(
    'rejects %j',
    (line) => {
      expect(parseJson(line)).toBeUndefined();
    },
  );

  it('keeps __proto__ as a data key without touching prototypes', () => {
    const fields = parseJson('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}}}');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(fields ?? {}, '__proto__')).toBe(true);
  });

  it('parses every JSON object and nothing else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseJson(JSON.stringify(value));
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          expect(result).toEqual(JSON.parse(JSON.stringify(value)));
        } else {
          expect(result).toBeUndefined();
        }
      }),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const result = parseJson(line);
        expect(result === undefined || typeof result === 'object').toBe(true);
      }),
    );
  });
});
