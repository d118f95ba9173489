import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import {
  checkFieldLimit,
  countFields,
  fieldType,
  mapDocument,
  mergeMappings,
  validateMappings,
} from '../../../../infra/local/opensearch/mapping.ts';

describe('dynamic mapping', () => {
  it.each([
    [42, { type: 'long' }],
    [-3, { type: 'long' }],
    [1.5, { type: 'float' }],
    [true, { type: 'boolean' }],
    ['2024-01-02T03:04:05.123Z', { type: 'date' }],
    ['2024-01-02', { type: 'date' }],
    ['2024-01-02T03:04:05+02:00', { type: 'date' }],
    ['2024/01/02 03:04:05', { type: 'date', format: 'yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis' }],
    ['2024-13-02', { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } }],
    ['hello world', { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } }],
    ['2024', { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } }],
  ])('%j → %j', (value, expected) => {
    const { mappings, changed } = mapDocument({}, { field: value }, '1');
    expect(changed).toBe(true);
    expect(mappings.properties?.field).toEqual(expected);
  });

  it('maps objects as properties and dotted keys as objects', () => {
    const { mappings } = mapDocument({}, { http: { status: 200 }, 'service.name': 'api' }, '1');
    expect(mappings).toEqual({
      properties: {
        http: { properties: { status: { type: 'long' } } },
        service: {
          properties: { name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } },
        },
      },
    });
  });

  it('ignores nulls and empty arrays, maps arrays by their elements', () => {
    const { mappings } = mapDocument({}, { a: null, b: [], c: [1, 2] }, '1');
    expect(mappings.properties).toEqual({ c: { type: 'long' } });
  });

  it('leaves the mapping untouched when nothing is new', () => {
    const base = { properties: { n: { type: 'long' } } };
    const result = mapDocument(base, { n: 5 }, '1');
    expect(result.changed).toBe(false);
    expect(result.mappings).toBe(base);
  });

  it('dynamic false keeps unknown fields out of the mapping; strict rejects them', () => {
    expect(mapDocument({ dynamic: false }, { x: 1 }, '1').mappings.properties).toBeUndefined();
    expect(() => mapDocument({ dynamic: 'strict' }, { x: 1 }, '1')).toThrowError(
      'mapping set to strict, dynamic introduction of [x] within [_doc] is not allowed',
    );
  });
});

describe('mapping conflicts', () => {
  const mapped = {
    properties: {
      n: { type: 'long' },
      d: { type: 'date' },
      b: { type: 'boolean' },
      o: { properties: { x: { type: 'keyword' } } },
      ip: { type: 'ip' },
    },
  };
  it.each([
    [
      { n: 'abc' },
      "failed to parse field [n] of type [long] in document with id '7'. Preview of field's value: 'abc'",
      'number_format_exception',
    ],
    [
      { d: 'yesterday' },
      "failed to parse field [d] of type [date] in document with id '7'. Preview of field's value: 'yesterday'",
      'illegal_argument_exception',
    ],
    [
      { b: 'maybe' },
      "failed to parse field [b] of type [boolean] in document with id '7'. Preview of field's value: 'maybe'",
      'illegal_argument_exception',
    ],
    [
      { ip: '300.1.1.1' },
      "failed to parse field [ip] of type [ip] in document with id '7'. Preview of field's value: '300.1.1.1'",
      'illegal_argument_exception',
    ],
    [
      { o: 'flat' },
      'object mapping for [o] tried to parse field [o] as object, but found a concrete value',
      undefined,
    ],
  ])('%j', (doc, reason, causeType) => {
    try {
      mapDocument(mapped, doc, '7');
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(OpenSearchError);
      const e = error as OpenSearchError;
      expect(e.status).toBe(400);
      expect(e.type).toBe('mapper_parsing_exception');
      expect(e.message).toBe(reason);
      expect(e.causedBy?.type).toBe(causeType);
    }
  });

  it.each([
    [{ n: '12' }],
    [{ n: 12 }],
    [{ d: 1700000000000 }],
    [{ d: '2024-01-01T00:00:00Z' }],
    [{ b: 'true' }],
    [{ ip: '10.0.0.1' }],
    [{ ip: '::1' }],
  ])('accepts %j', (doc) => {
    expect(() => mapDocument(mapped, doc, '1')).not.toThrow();
  });

  it('refuses a type change on merge', () => {
    expect(() => mergeMappings(mapped, { properties: { n: { type: 'text' } } })).toThrowError(
      'mapper [n] cannot be changed from type [long] to [text]',
    );
  });

  it('unwraps a lone _doc type and rejects unknown root parameters', () => {
    expect(validateMappings({ _doc: { properties: { a: { type: 'long' } } } })).toEqual({
      properties: { a: { type: 'long' } },
    });
    expect(() => validateMappings({ bogus: 1 })).toThrowError(
      /Root mapping definition has unsupported parameters/,
    );
  });

  it('rejects unknown field types', () => {
    expect(() => validateMappings({ properties: { x: { type: 'strng' } } })).toThrowError(
      /No handler for type \[strng\]/,
    );
  });
});

describe('field counting and types', () => {
  it('counts objects, leaves and multi-fields', () => {
    const { mappings } = mapDocument({}, { msg: 'x', obj: { a: 1 } }, '1');
    // msg, msg.keyword, obj, obj.a
    expect(countFields(mappings)).toBe(4);
  });

  it('enforces index.mapping.total_fields.limit', () => {
    const doc = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, i]));
    const { mappings } = mapDocument({}, doc, '1');
    expect(() => checkFieldLimit(mappings, 10)).toThrowError('Limit of total fields [10] has been exceeded');
    expect(() => checkFieldLimit(mappings, 11)).not.toThrow();
  });

  it('resolves multi-fields, objects and aliases', () => {
    const { mappings } = mapDocument({}, { msg: 'hello', http: { status: 200 } }, '1');
    const withAlias = mergeMappings(mappings, {
      properties: { code: { type: 'alias', path: 'http.status' } },
    });
    expect(fieldType(withAlias, 'msg')).toBe('text');
    expect(fieldType(withAlias, 'msg.keyword')).toBe('keyword');
    expect(fieldType(withAlias, 'http')).toBe('object');
    expect(fieldType(withAlias, 'http.status')).toBe('long');
    expect(fieldType(withAlias, 'code')).toBe('long');
    expect(fieldType(withAlias, 'missing')).toBeUndefined();
  });

  it('mapping a document twice is a no-op the second time', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(fc.integer(), fc.boolean(), fc.string(), tie('object')),
      object: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie('value'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(json.object as fc.Arbitrary<Record<string, unknown>>, (doc) => {
        const first = mapDocument({}, doc, '1');
        const second = mapDocument(first.mappings, doc, '1');
        expect(second.changed).toBe(false);
      }),
    );
  });
});

describe('dynamic templates', () => {
  const templates = {
    dynamic_templates: [
      { ids_as_keyword: { match: '*_id', match_mapping_type: 'string', mapping: { type: 'keyword' } } },
      { no_index_raw: { path_match: 'raw.*', mapping: { type: 'keyword', index: false } } },
      {
        strings_as_keyword: {
          match_mapping_type: 'string',
          mapping: { type: 'keyword', ignore_above: 1024 },
        },
      },
      {
        counts: {
          match: 'n_*',
          match_mapping_type: 'long',
          mapping: { type: 'integer', meta: { from: '{name}/{dynamic_type}' } },
        },
      },
    ],
  };

  it.each([
    [{ user_id: 'u-1' }, 'user_id', { type: 'keyword' }],
    [{ raw: { line: 'x' } }, 'raw.properties.line', { type: 'keyword', index: false }],
    [
      { error: { type: 'java.lang.OutOfMemoryError' } },
      'error.properties.type',
      { type: 'keyword', ignore_above: 1024 },
    ],
    [{ n_items: 3 }, 'n_items', { type: 'integer', meta: { from: 'n_items/long' } }],
    // Not a string to the matcher: a date string is detected as `date` first, as in OpenSearch.
    [{ at: '2026-11-20T12:00:00Z' }, 'at', { type: 'date' }],
    // No template for doubles: ordinary dynamic mapping.
    [{ ratio: 0.5 }, 'ratio', { type: 'float' }],
  ])('%j maps %s to %j', (doc, path, expected) => {
    const { mappings } = mapDocument(structuredClone(templates) as never, doc, '1');
    let node: unknown = (mappings as { properties: unknown }).properties;
    for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
    expect(node).toEqual(expected);
  });

  it('the first matching template wins, in order', () => {
    const { mappings } = mapDocument(structuredClone(templates) as never, { order_id: 'o-1' }, '1');
    expect((mappings as { properties: Record<string, unknown> }).properties.order_id).toEqual({
      type: 'keyword',
    });
  });
});
