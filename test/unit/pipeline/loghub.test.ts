// Ground truth from Loghub (logpai/loghub, https://github.com/logpai/loghub; Zhu et al., "Loghub: A
// Large Collection of System Log Datasets for AI-driven Log Analytics", ISSRE 2023): for each
// system in ../shared/loghub, the grok pattern of its pipeline in infra/pipelines.yaml must split
// every sample line exactly as the dataset's `*_structured.csv` does, and the time must parse
// with the pipeline's timestamp format.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { getPath } from '../../../functions/core/pipeline/fields.ts';
import { parsers } from '../../../functions/core/pipeline/parsers/index.ts';
import { compileTimestampParser } from '../../../functions/core/pipeline/timestamp.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const loghubDir = path.resolve(repoRoot, '../shared/loghub');

type PipelineConfig = {
  grok?: { patterns: string[]; definitions?: Record<string, string> };
  timestamp: { formats: string[]; timezone?: string };
};
const config = parseYaml(readFileSync(path.join(repoRoot, 'infra/pipelines.yaml'), 'utf8')) as {
  topics: { match: string; pipeline: string }[];
  pipelines: Record<string, PipelineConfig>;
};

/** RFC 4180: comma-separated, `"` quotes fields, `""` is a quote inside, CRLF or LF ends records. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

type System = {
  pipeline: string;
  /** CSV columns that together make the raw time, joined by one space. */
  time: string[];
  /** CSV column → our ECS field. */
  columns: Record<string, string>;
  /** First line's time as the system's format must read it. */
  firstTime: string;
};

// Loghub's column names are its own (Linux's `Level` holds the host, OpenSSH's `Component` too).
const SYSTEMS: Record<string, System> = {
  Android: {
    pipeline: 'loghub-android',
    time: ['Date', 'Time'],
    columns: { Pid: 'process.pid', Tid: 'process.thread.id', Level: 'log.level', Component: 'log.logger' },
    firstTime: '2025-03-17T16:13:38.811Z',
  },
  Apache: {
    pipeline: 'loghub-apache',
    time: ['Time'],
    columns: { Level: 'log.level' },
    firstTime: '2005-12-04T04:47:44.000Z',
  },
  HDFS: {
    pipeline: 'loghub-hdfs',
    time: ['Date', 'Time'],
    columns: { Pid: 'process.pid', Level: 'log.level', Component: 'log.logger' },
    firstTime: '2008-11-09T20:36:15.000Z',
  },
  Hadoop: {
    pipeline: 'loghub-hadoop',
    time: ['Date', 'Time'],
    columns: { Level: 'log.level', Process: 'process.thread.name', Component: 'log.logger' },
    firstTime: '2015-10-18T18:01:47.978Z',
  },
  HealthApp: {
    pipeline: 'loghub-healthapp',
    time: ['Time'],
    columns: { Component: 'log.logger', Pid: 'process.pid' },
    firstTime: '2017-12-23T22:15:29.606Z',
  },
  Linux: {
    pipeline: 'loghub-linux',
    time: ['Month', 'Date', 'Time'],
    columns: { Level: 'host.hostname', Component: 'process.name', PID: 'process.pid' },
    firstTime: '2025-06-14T15:16:01.000Z',
  },
  OpenSSH: {
    pipeline: 'loghub-openssh',
    time: ['Date', 'Day', 'Time'],
    columns: { Component: 'host.hostname', Pid: 'process.pid' },
    firstTime: '2025-12-10T06:55:46.000Z',
  },
  Zookeeper: {
    pipeline: 'loghub-zookeeper',
    time: ['Date', 'Time'],
    columns: {
      Level: 'log.level',
      Node: 'process.thread.name',
      Component: 'log.logger',
      Id: 'log.origin.file.line',
    },
    firstTime: '2015-07-29T17:41:44.747Z',
  },
};

// Year-less formats (syslog, Android) take the year from this reference time.
const REFERENCE = Date.UTC(2026, 0, 1);

const asString = (value: unknown): string => (value === undefined ? '' : String(value));
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

function loadSystem(name: string) {
  const dir = path.join(loghubDir, name);
  const files = readdirSync(dir);
  const logFile = files.find((f) => f.endsWith('_2k.log'));
  const csvFile = files.find((f) => f.endsWith('_2k.log_structured.csv'));
  if (logFile === undefined || csvFile === undefined) throw new Error(`${name}: missing log or CSV`);
  const lines = readFileSync(path.join(dir, logFile), 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const [header = [], ...rows] = readCsv(readFileSync(path.join(dir, csvFile), 'utf8'));
  return { lines, header, rows };
}

describe('RFC 4180 reader (test helper)', () => {
  it.each([
    [
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['1,"x, ""y""",z\n', [['1', 'x, "y"', 'z']]],
    ['"multi\nline",2', [['multi\nline', '2']]],
    [',\n', [['', '']]],
  ])('%j', (text, expected) => {
    expect(readCsv(text)).toEqual(expected);
  });
});

describe('Loghub ground truth', () => {
  const systems = readdirSync(loghubDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it('every Loghub system here has a pipeline, a topic and a column table', () => {
    expect(systems.length).toBeGreaterThan(0);
    for (const name of systems) {
      const system = SYSTEMS[name];
      expect(system, name).toBeDefined();
      expect(config.pipelines[system?.pipeline ?? '']?.grok, name).toBeDefined();
      expect(config.topics.some((t) => t.pipeline === system?.pipeline)).toBe(true);
    }
  });

  describe.each(systems)('%s', (name) => {
    const system = SYSTEMS[name];
    if (system === undefined) return;
    const pipeline = config.pipelines[system.pipeline];
    if (pipeline?.grok === undefined) return;
    const parse = parsers.grok({ grok: pipeline.grok });
    const parseTime = compileTimestampParser(pipeline.timestamp.formats, {
      timezone: pipeline.timestamp.timezone ?? 'UTC',
      now: () => REFERENCE,
    });
    const { lines, header, rows } = loadSystem(name);
    const column = (row: string[], col: string): string => row[header.indexOf(col)] ?? '';

    it('the column table covers every header column of the CSV', () => {
      const covered = new Set(['LineId', 'Content', 'EventId', 'EventTemplate', ...system.time]);
      for (const col of Object.keys(system.columns)) covered.add(col);
      expect(header.filter((col) => !covered.has(col))).toEqual([]);
      expect(rows.length).toBe(lines.length);
    });

    it('every line splits into the CSV columns', () => {
      const mismatches: string[] = [];
      let passed = 0;
      lines.forEach((line, index) => {
        const row = rows[index] ?? [];
        const fields = parse(line);
        if (fields === undefined) {
          mismatches.push(`line ${index + 1}: no match: ${line}`);
          return;
        }
        const problems: string[] = [];
        const expectedTime = system.time.map((col) => column(row, col)).join(' ');
        if (collapse(asString(getPath(fields, '@timestamp'))) !== collapse(expectedTime)) {
          problems.push(`time ${asString(getPath(fields, '@timestamp'))} != ${expectedTime}`);
        }
        for (const [col, field] of Object.entries(system.columns)) {
          const actual = asString(getPath(fields, field));
          if (actual !== column(row, col)) problems.push(`${col} ${actual} != ${column(row, col)}`);
        }
        const message = asString(getPath(fields, 'message'));
        if (message !== column(row, 'Content'))
          problems.push(`Content ${message} != ${column(row, 'Content')}`);
        if (problems.length > 0) mismatches.push(`line ${index + 1}: ${problems.join('; ')}`);
        else passed++;
      });
      console.info(`Loghub ${name}: ${passed}/${lines.length} lines match the structured CSV`);
      expect(mismatches.slice(0, 5)).toEqual([]);
      expect(passed).toBe(lines.length);
    });

    it('every time parses with the pipeline format', () => {
      const times = lines.map((line) => asString(getPath(parse(line) ?? {}, '@timestamp')));
      const bad = times.filter((t) => parseTime(t) === undefined);
      expect(bad.slice(0, 5)).toEqual([]);
      const first = parseTime(times[0] ?? '');
      expect(first === undefined ? undefined : new Date(first).toISOString()).toBe(system.firstTime);
    });
  });
});
