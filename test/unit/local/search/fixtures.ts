// Log events built from real Apache error-log lines (loghub Apache_2k), shaped as Sluice indexes them.
import type { SearchDoc } from '../../../../infra/local/opensearch/search/index.ts';
import { context, docs, type Mappings } from './harness.ts';

export const LOG_MAPPINGS: Mappings = {
  logs: {
    '@timestamp': 'date',
    level: 'keyword',
    message: 'text',
    'message.keyword': 'keyword',
    event_id: 'keyword',
    'service.name': 'keyword',
    'client.ip': 'ip',
    child: 'long',
    slot: 'integer',
    latency_ms: 'double',
    retried: 'boolean',
    tags: 'keyword',
  },
};

export const LOGS: SearchDoc[] = docs('logs', [
  {
    '@timestamp': '2005-12-04T04:47:44.000Z',
    level: 'notice',
    message: 'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
    event_id: 'E2',
    service: { name: 'httpd' },
    latency_ms: 1.5,
    retried: false,
    tags: ['startup'],
  },
  {
    '@timestamp': '2005-12-04T04:47:44.000Z',
    level: 'error',
    message: 'mod_jk child workerEnv in error state 6',
    event_id: 'E3',
    service: { name: 'httpd' },
    latency_ms: 12.25,
    retried: true,
    tags: ['mod_jk', 'state'],
  },
  {
    '@timestamp': '2005-12-04T04:51:08.000Z',
    level: 'notice',
    message: 'jk2_init() Found child 6725 in scoreboard slot 10',
    event_id: 'E1',
    'service.name': 'jk2',
    child: 6725,
    slot: 10,
    latency_ms: 3,
  },
  {
    '@timestamp': '2005-12-04T05:15:09.000Z',
    level: 'error',
    message: '[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/',
    event_id: 'E4',
    service: { name: 'httpd' },
    client: { ip: '222.166.160.184' },
    latency_ms: 40,
    tags: ['security'],
  },
  {
    '@timestamp': '2005-12-04T17:43:08.000Z',
    level: 'error',
    message: "jk2_init() Can't find child 1566 in scoreboard",
    event_id: 'E5',
    service: { name: 'jk2' },
    child: 1566,
  },
  {
    '@timestamp': 1133718192000, // 2005-12-04T17:43:12Z as epoch millis
    level: 'error',
    message: 'mod_jk child init 1 -2',
    event_id: 'E6',
    service: { name: 'httpd' },
    retried: true,
  },
]);

/** 2005-12-04T18:00:00Z: "now" for the log fixture. */
export const LOG_NOW = Date.UTC(2005, 11, 4, 18, 0, 0);

export const LOG_CTX = context(LOG_MAPPINGS, LOG_NOW);
