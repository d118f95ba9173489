import type { Fields } from '../fields.ts';
import { setPath } from '../fields.ts';
import type { Parser } from '../types.ts';

// 2.2: [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message
// 2.4: [Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:52322] AH00128: message
const ERROR_LINE =
  /^\[([A-Za-z]{3} [A-Za-z]{3} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] \[(?:([\w.-]*):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])?(?: (AH\d{5}): ?| ?)(.*?)\s*$/;
const CLIENT_PORT = /^(.*):(\d+)$/;

/**
 * Apache httpd error log, 2.2 and 2.4 forms: raw time in `@timestamp` (formats
 * `EEE MMM dd HH:mm:ss yyyy` and `EEE MMM dd HH:mm:ss.SSSSSS yyyy`), `log.level`,
 * `apache.error.module`, `process.pid`, `process.thread.id`, `source.ip`/`source.port`,
 * `error.code` (AHxxxxx) and `message`.
 */
export const parseApacheError: Parser = (line) => {
  const m = ERROR_LINE.exec(line);
  if (m === null) return undefined;
  const [, time = '', module, level = '', pid, tid, client, code, message = ''] = m;
  const fields: Fields = {};
  setPath(fields, '@timestamp', time);
  setPath(fields, 'log.level', level);
  if (module !== undefined && module !== '') setPath(fields, 'apache.error.module', module);
  if (pid !== undefined) setPath(fields, 'process.pid', Number(pid));
  if (tid !== undefined) setPath(fields, 'process.thread.id', Number(tid));
  if (client !== undefined) {
    // 2.4 always prints the port; 2.2 never does, and `::1` must not lose its last group.
    const withPort = pid !== undefined || module !== undefined ? CLIENT_PORT.exec(client) : null;
    if (withPort !== null) {
      setPath(fields, 'source.ip', withPort[1]);
      setPath(fields, 'source.port', Number(withPort[2]));
    } else {
      setPath(fields, 'source.ip', client);
    }
  }
  if (code !== undefined) setPath(fields, 'error.code', code);
  setPath(fields, 'message', message);
  return fields;
};
