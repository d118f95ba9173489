import { describe, expect, it } from 'vitest';
import { GrokError } from '../../../../functions/core/pipeline/grok/errors.ts';
import { isParserName, parsers } from '../../../../functions/core/pipeline/parsers/index.ts';

describe('parser registry', () => {
  it('has the names pipelines use', () => {
    expect(Object.keys(parsers).sort()).toEqual(
      ['apache_access', 'apache_error', 'grok', 'json', 'logfmt', 'nginx_access', 'syslog'].sort(),
    );
    expect(isParserName('json')).toBe(true);
    expect(isParserName('toString')).toBe(false);
  });

  it('nginx_access and apache_access are the same NCSA parser', () => {
    const line = '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1';
    expect(parsers.nginx_access({})(line)).toEqual(parsers.apache_access({})(line));
  });

  it('grok tries its patterns in order and needs a grok section', () => {
    const parse = parsers.grok({
      grok: { patterns: ['^%{INT:n:int}$', '^%{MYWORD:w}$'], definitions: { MYWORD: '[a-z]+' } },
    });
    expect(parse('42')).toEqual({ n: 42 });
    expect(parse('abc')).toEqual({ w: 'abc' });
    expect(parse('ABC')).toBeUndefined();
    expect(() => parsers.grok({})).toThrow(GrokError);
    expect(() => parsers.grok({ grok: { patterns: [] } })).toThrow(GrokError);
  });
});
