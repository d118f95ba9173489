import type { Fields } from '../fields.ts';
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
  // Built as literals in the order the setPath calls this replaces created the keys: the
  // document's JSON follows that order.
  const fields: Fields = isIp(client) ? { source: { ip: client } } : { source: { domain: client } };
  if (ident !== '-') fields.apache = { access: { user: { identity: ident } } };
  if (user !== '-') fields.user = { name: user };
  fields['@timestamp'] = time;
  let http: Fields | undefined;
  let httpRequest: Fields | undefined;
  const r = REQUEST.exec(request);
  if (r !== null) {
    httpRequest = { method: r[1] };
    http = { request: httpRequest };
    fields.http = http;
    fields.url = { original: r[2] };
    if (r[3] !== undefined) http.version = r[3];
  } else if (request !== '' && request !== '-') {
    httpRequest = { line: request };
    http = { request: httpRequest };
    fields.http = http;
  }
  let response: Fields | undefined;
  if (status !== '-') {
    http ??= fields.http = {};
    response = { status_code: Number(status) };
    http.response = response;
  }
  if (bytes !== '-') {
    http ??= fields.http = {};
    response ??= http.response = {};
    response.body = { bytes: Number(bytes) };
  }
  const referrer = m[8];
  const agent = m[9];
  const forwarded = m[10];
  if (referrer !== undefined && referrer !== '-' && referrer !== '') {
    http ??= fields.http = {};
    httpRequest ??= http.request = {};
    httpRequest.referrer = referrer;
  }
  if (agent !== undefined && agent !== '-' && agent !== '') fields.user_agent = { original: agent };
  if (forwarded !== undefined && forwarded !== '-' && forwarded !== '') {
    http ??= fields.http = {};
    httpRequest ??= http.request = {};
    httpRequest.x_forwarded_for = forwarded;
  }
  return fields;
};
