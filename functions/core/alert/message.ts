// Notification → what a person reads (text, Slack-compatible) and what a machine reads (JSON).
import type { AlertEvent, Notification } from './state.ts';
import type { AnyRule, Window } from './types.ts';

export interface RenderedMessage {
  /** Short, for an SNS subject / e-mail (SNS caps subjects at 100 characters). */
  subject: string;
  /** Slack-compatible `text`. */
  text: string;
  /** The same content as data, for webhook consumers and the history index. */
  json: {
    rule: string;
    status: 'firing' | 'resolved' | 'mixed';
    events: Array<{
      key: string;
      status: string;
      repeat: boolean;
      value: number | string;
      threshold: string;
      window?: { from: string; to: string };
      since: string;
      at: string;
      samples: Record<string, unknown>[];
      link?: string;
    }>;
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();
const MAX_SAMPLE_CHARS = 500;
/** Events spelled out in the text; the rest are counted. Keeps a message under SNS's 256 KB. */
const MAX_TEXT_EVENTS = 20;

/** Fills a Discover link template: `{from}`, `{to}`, `{index}`, `{query}` (URL-encoded). */
export function discoverLink(
  template: string | undefined,
  rule: AnyRule,
  window: Window | undefined,
  key: string,
): string | undefined {
  if (template === undefined || rule.kind !== 'log' || window === undefined) return undefined;
  const keyClause =
    rule.queryKey !== undefined && key !== '*' ? `${rule.queryKey}:"${key.replaceAll('"', '\\"')}"` : '';
  const query = [rule.filterText, keyClause].filter((part) => part !== '').join(' AND ');
  const values: Record<string, string> = {
    from: iso(window.from),
    to: iso(window.to),
    index: rule.index,
    query,
  };
  return template.replace(/\{(from|to|index|query)\}/g, (_, name: string) =>
    encodeURIComponent(values[name] ?? ''),
  );
}

function sampleLine(sample: Record<string, unknown>): string {
  const text = JSON.stringify(sample);
  return text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS)}…` : text;
}

function eventLines(event: AlertEvent, link: string | undefined): string[] {
  const m = event.match;
  const window = m.window ? ` in ${iso(m.window.from)} → ${iso(m.window.to)}` : '';
  const head =
    event.status === 'resolved'
      ? `✅ RESOLVED ${event.key}: last ${m.value} (${m.threshold}), since ${iso(event.since)}`
      : `🔥 ${event.repeat ? 'STILL FIRING' : 'FIRING'} ${event.key}: ${m.value} (${m.threshold})${window}`;
  const lines = [head];
  for (const sample of m.samples) lines.push(`    ${sampleLine(sample)}`);
  if (link !== undefined && event.status === 'firing') lines.push(`    Discover: ${link}`);
  return lines;
}

export function renderNotification(
  notification: Notification,
  rule: AnyRule,
  options: { discoverUrl?: string } = {},
): RenderedMessage {
  const statuses = new Set(notification.events.map((e) => e.status));
  const status = statuses.size > 1 ? 'mixed' : statuses.has('resolved') ? 'resolved' : 'firing';
  const firing = notification.events.filter((e) => e.status === 'firing').length;
  const resolved = notification.events.length - firing;
  const counts = [firing > 0 ? `${firing} firing` : '', resolved > 0 ? `${resolved} resolved` : '']
    .filter(Boolean)
    .join(', ');
  const subject = `[Sluice] ${rule.name}: ${counts}`.slice(0, 100);
  const lines = [`*${rule.name}* (${rule.kind === 'log' ? rule.type : `health ${rule.type}`}): ${counts}`];
  if (rule.kind === 'log' && rule.description !== undefined) lines.push(rule.description);
  const events: RenderedMessage['json']['events'] = [];
  for (const [i, event] of notification.events.entries()) {
    const link = discoverLink(options.discoverUrl, rule, event.match.window, event.key);
    if (i < MAX_TEXT_EVENTS) lines.push(...eventLines(event, link));
    else if (i === MAX_TEXT_EVENTS) lines.push(`… and ${notification.events.length - MAX_TEXT_EVENTS} more`);
    events.push({
      key: event.key,
      status: event.status,
      repeat: event.repeat,
      value: event.match.value,
      threshold: event.match.threshold,
      ...(event.match.window
        ? { window: { from: iso(event.match.window.from), to: iso(event.match.window.to) } }
        : {}),
      since: iso(event.since),
      at: iso(event.at),
      samples: event.match.samples,
      ...(link !== undefined ? { link } : {}),
    });
  }
  return { subject, text: lines.join('\n'), json: { rule: rule.name, status, events } };
}
