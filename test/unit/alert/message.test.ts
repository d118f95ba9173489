import { describe, expect, it } from 'vitest';
import { discoverLink, renderNotification } from '../../../functions/core/alert/message.ts';
import { compileAlertConfig } from '../../../functions/core/alert/rules.ts';
import type { Notification } from '../../../functions/core/alert/state.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const window = { from: NOW - 300_000, to: NOW };
const config = compileAlertConfig({
  defaults: {
    discover_url: 'https://dash/_dashboards/app/discover#?from={from}&to={to}&index={index}&q={query}',
  },
  rules: [
    {
      name: 'errors',
      type: 'frequency',
      description: 'Too many errors.',
      query: 'log.level:error',
      query_key: 'service.name',
      num_events: 5,
      timeframe: '5m',
    },
  ],
});
const rule = config.rules[0];
if (rule === undefined) throw new Error('no rule');

const notification: Notification = {
  rule: 'errors',
  notify: ['hook'],
  events: [
    {
      rule: 'errors',
      key: 'api',
      status: 'firing',
      since: NOW,
      at: NOW,
      repeat: false,
      match: {
        key: 'api',
        value: 12,
        threshold: '>= 5 events',
        window,
        samples: [{ message: 'db down', 'log.level': 'error' }],
      },
    },
    {
      rule: 'errors',
      key: 'web',
      status: 'resolved',
      since: NOW - 3_600_000,
      at: NOW,
      repeat: false,
      match: { key: 'web', value: 7, threshold: '>= 5 events', window, samples: [] },
    },
  ],
};

describe('discoverLink', () => {
  it('fills and URL-encodes the template with the window, index and filter plus key', () => {
    expect(discoverLink(config.discoverUrl, rule, window, 'api')).toBe(
      `https://dash/_dashboards/app/discover#?from=${encodeURIComponent('2026-03-01T11:55:00.000Z')}&to=${encodeURIComponent('2026-03-01T12:00:00.000Z')}&index=${encodeURIComponent('logs-*')}&q=${encodeURIComponent('log.level:error AND service.name:"api"')}`,
    );
  });
  it('no template, no link', () => {
    expect(discoverLink(undefined, rule, window, 'api')).toBeUndefined();
  });
});

describe('renderNotification', () => {
  const message = renderNotification(notification, rule, { discoverUrl: config.discoverUrl });
  it('names the rule, key, value, threshold, window, samples and link', () => {
    expect(message.subject).toBe('[Sluice] errors: 1 firing, 1 resolved');
    expect(message.text).toContain('*errors* (frequency): 1 firing, 1 resolved');
    expect(message.text).toContain('Too many errors.');
    expect(message.text).toContain(
      'FIRING api: 12 (>= 5 events) in 2026-03-01T11:55:00.000Z → 2026-03-01T12:00:00.000Z',
    );
    expect(message.text).toContain('{"message":"db down","log.level":"error"}');
    expect(message.text).toContain('Discover: https://dash/');
    expect(message.text).toContain('RESOLVED web: last 7 (>= 5 events), since 2026-03-01T11:00:00.000Z');
  });
  it('carries the same as JSON', () => {
    expect(message.json.status).toBe('mixed');
    expect(message.json.events[0]).toMatchObject({
      key: 'api',
      status: 'firing',
      value: 12,
      window: { from: '2026-03-01T11:55:00.000Z', to: '2026-03-01T12:00:00.000Z' },
    });
    expect(message.json.events[0]?.link).toMatch(/^https:\/\/dash\//);
    expect(message.json.events[1]).toMatchObject({ key: 'web', status: 'resolved' });
  });
  it('truncates huge samples and caps the subject at 100 characters', () => {
    const big: Notification = {
      ...notification,
      events: [
        {
          ...notification.events[0],
          match: { ...notification.events[0]!.match, samples: [{ message: 'x'.repeat(5000) }] },
        } as Notification['events'][number],
      ],
    };
    const long = renderNotification(big, { ...rule, name: 'n'.repeat(200) });
    expect(long.subject.length).toBe(100);
    expect(long.text.length).toBeLessThan(1000);
  });
});

describe('many keys in one notification', () => {
  it('spells out 20 events in the text, counts the rest, keeps all in JSON', () => {
    const first = notification.events[0];
    if (first === undefined) throw new Error('no event');
    const many: Notification = {
      ...notification,
      events: Array.from({ length: 25 }, (_, i) => ({
        ...first,
        key: `svc-${i}`,
        match: { ...first.match, key: `svc-${i}` },
      })),
    };
    const message = renderNotification(many, rule);
    expect(message.subject).toBe('[Sluice] errors: 25 firing');
    expect(message.text).toContain('FIRING svc-19:');
    expect(message.text).not.toContain('FIRING svc-20:');
    expect(message.text).toContain('… and 5 more');
    expect(message.json.events).toHaveLength(25);
  });
});
