import type { Fields } from '../fields.ts';
import { setPath } from '../fields.ts';
import type { Parser } from '../types.ts';

// NCSA common and combined log formats (Apache `common`/`combined`, nginx `combined`), with the
// `"$http_x_forwarded_for"` field that many nginx configs append.
const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const ACCESS = new RegExp(
  `^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${QUOTED} (\\d{3}|-) (\\d+|-)(?: ${QUOTED} ${QUOTED}(?: ${QUOTED})?)?\\s*$`,
);
const REQUEST = /^([A-Za-z]+) (\S+)(?: HTTP\/(\d+(?:\.\d+)?))?$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function isIp(text: string): boolean {
  return IPV4.test(text) || (text.includes(':') && /^[0-9A-Fa-f:.]+$/.test(text));
}

/**
 * `source.ip` (or `source.domain` for a host name), `user.name`, raw time in `@timestamp`,
 * `http.request.method`, `url.original`, `http.version`, `http.response.status_code` and
 * `http.response.body.bytes` (numbers), `http.request.referrer`, `user_agent.original`. `-` means
 * absent. A request line that is not `METHOD target HTTP/x` (probes, TLS on the HTTP port) is kept
 * whole in `http.request.line`.
 */
export const parseAccess: Parser = (line) => {
  const m = ACCESS.exec(line);
  if (m === null) return undefined;
  const [, client = '', ident = '-', user = '-', time = '', request = '', status = '-', bytes = '-'] = m;
  const fields: Fields = {};
  setPath(fields, isIp(client) ? 'source.ip' : 'source.domain', client);
  if (ident !== '-') setPath(fields, 'apache.access.user.identity', ident);
  if (user !== '-') setPath(fields, 'user.name', user);
  setPath(fields, '@timestamp', time);
  const r = REQUEST.exec(request);
  if (r !== null) {
    setPath(fields, 'http.request.method', r[1]);
    setPath(fields, 'url.original', r[2]);
    if (r[3] !== undefined) setPath(fields, 'http.version', r[3]);
  } else if (request !== '' && request !== '-') {
    setPath(fields, 'http.request.line', request);
  }
  if (status !== '-') setPath(fields, 'http.response.status_code', Number(status));
  if (bytes !== '-') setPath(fields, 'http.response.body.bytes', Number(bytes));
  const referrer = m[8];
  const agent = m[9];
  const forwarded = m[10];
  if (referrer !== undefined && referrer !== '-' && referrer !== '')
    setPath(fields, 'http.request.referrer', referrer);
  if (agent !== undefined && agent !== '-' && agent !== '') setPath(fields, 'user_agent.original', agent);
  if (forwarded !== undefined && forwarded !== '-' && forwarded !== '') {
    setPath(fields, 'http.request.x_forwarded_for', forwarded);
  }
  return fields;
};
