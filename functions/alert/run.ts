// One scheduled run: load state, evaluate every rule (each isolated: a failing rule is logged and
// counted, never stops the others), send notifications (each notifier isolated too), save state,
// write the audit history.
import type { AlertSearch } from '../adapters/alert-opensearch.ts';
import type { AlertStateStore } from '../adapters/alert-state.ts';
import type { MetricReader } from '../adapters/cloudwatch.ts';
import type { AlertConfigError } from '../core/alert/errors.ts';
import { evaluateRule } from '../core/alert/evaluate.ts';
import {
  evaluateClusterHealth,
  evaluateIsmFailures,
  evaluateMetricCheck,
  evaluateNodePressure,
  evaluateSnapshots,
  metricWindow,
} from '../core/alert/health.ts';
import { renderNotification } from '../core/alert/message.ts';
import { buildQuery } from '../core/alert/query.ts';
import { type AlertState, type Notification, pruneState, stepRule } from '../core/alert/state.ts';
import type { AlertConfig, AnyRule, HealthCheck, LogRule, Match } from '../core/alert/types.ts';
import type { Notifier } from './notifiers.ts';

export interface RunLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface RunMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export interface AlertApp {
  config: AlertConfig;
  /** Rules left out at cold start because they were malformed: reported on every run. */
  configErrors: AlertConfigError[];
  search: AlertSearch;
  metrics: MetricReader;
  notifiers: Map<string, Notifier>;
  stateStore: AlertStateStore;
  now: () => number;
  logger: RunLogger;
  counters: RunMetrics;
}

export interface RunSummary {
  rules: number;
  ruleErrors: number;
  configErrors: number;
  matches: number;
  suppressed: number;
  notifications: number;
  deliveries: number;
  deliveryFailures: number;
  historyError?: string;
}

export const AlertMetrics = {
  ruleErrors: 'AlertRuleErrors',
  configErrors: 'AlertConfigErrors',
  matches: 'AlertMatches',
  suppressed: 'AlertsSuppressed',
  notifications: 'AlertNotifications',
  deliveryFailures: 'AlertDeliveryFailures',
  historyFailures: 'AlertHistoryFailures',
} as const;

async function evaluateHealth(app: AlertApp, check: HealthCheck, now: number): Promise<Match[]> {
  switch (check.type) {
    case 'consumer_lag':
    case 'dead_letters':
    case 'reported_records':
    case 'lambda_errors':
    case 'lambda_throttles':
      return evaluateMetricCheck(check, await app.metrics.read(check.metric, metricWindow(check, now)), now);
    case 'cluster_health':
      return evaluateClusterHealth(check, await app.search.clusterHealth());
    case 'node_pressure':
      return evaluateNodePressure(check, await app.search.nodeStats());
    case 'ism_failures':
      return evaluateIsmFailures(check, await app.search.ismExplain());
    case 'snapshots':
      return evaluateSnapshots(check, await app.search.snapshots(check.repository), now);
  }
}

async function evaluateLog(app: AlertApp, rule: LogRule, now: number): Promise<Match[]> {
  const request = buildQuery(rule, now);
  return evaluateRule(rule, await app.search.search(request.index, request.body), now).matches;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function deliver(
  app: AlertApp,
  notification: Notification,
  rule: AnyRule,
): Promise<{ results: Record<string, string>; failures: number }> {
  const message = renderNotification(notification, rule, { discoverUrl: app.config.discoverUrl });
  const results: Record<string, string> = {};
  let failures = 0;
  await Promise.all(
    notification.notify.map(async (name) => {
      const notifier = app.notifiers.get(name);
      try {
        if (notifier === undefined) throw new Error(`no notifier named ${name}`);
        await notifier.send(message);
        results[name] = 'sent';
      } catch (error) {
        failures += 1;
        results[name] = `failed: ${errorMessage(error)}`;
        app.logger.error('notifier failed', { rule: rule.name, notifier: name, error: errorMessage(error) });
      }
    }),
  );
  if (notification.notify.length === 0) {
    app.logger.warn('rule has no notifiers; the notification is only logged', {
      rule: rule.name,
      text: message.text,
    });
  }
  return { results, failures };
}

export async function runAlerts(app: AlertApp): Promise<RunSummary> {
  const now = app.now();
  const rules: AnyRule[] = [...app.config.health, ...app.config.rules];
  const summary: RunSummary = {
    rules: rules.length,
    ruleErrors: 0,
    configErrors: app.configErrors.length,
    matches: 0,
    suppressed: 0,
    notifications: 0,
    deliveries: 0,
    deliveryFailures: 0,
  };
  for (const error of app.configErrors) app.logger.error('malformed rule skipped', { error: error.message });

  // Without the state, every firing key would notify again: better to skip this run.
  const loaded = await app.stateStore.load();
  const state: AlertState = pruneState(
    loaded,
    rules.map((rule) => rule.name),
  );

  const outcomes = await Promise.all(
    rules.map(async (rule) => {
      try {
        const matches =
          rule.kind === 'log' ? await evaluateLog(app, rule, now) : await evaluateHealth(app, rule, now);
        return { rule, step: stepRule(state.rules[rule.name], rule, matches, now), matches: matches.length };
      } catch (error) {
        // The rule's state is left as it was: no resolve for a rule that could not look.
        app.logger.error('rule evaluation failed', { rule: rule.name, error: errorMessage(error) });
        return { rule, error };
      }
    }),
  );

  const history: Record<string, unknown>[] = [];
  for (const outcome of outcomes) {
    if (!('step' in outcome) || outcome.step === undefined) {
      summary.ruleErrors += 1;
      continue;
    }
    const { rule, step } = outcome;
    state.rules[rule.name] = step.ruleState;
    summary.matches += outcome.matches;
    summary.suppressed += step.suppressed;
    if (step.notification === undefined) continue;
    summary.notifications += 1;
    const { results, failures } = await deliver(app, step.notification, rule);
    summary.deliveries += step.notification.notify.length - failures;
    summary.deliveryFailures += failures;
    for (const event of step.notification.events) {
      history.push({
        '@timestamp': new Date(now).toISOString(),
        rule: rule.name,
        rule_type: rule.type,
        key: event.key,
        status: event.status,
        repeat: event.repeat,
        value: String(event.match.value),
        threshold: event.match.threshold,
        ...(event.match.window
          ? {
              window: {
                from: new Date(event.match.window.from).toISOString(),
                to: new Date(event.match.window.to).toISOString(),
              },
            }
          : {}),
        since: new Date(event.since).toISOString(),
        delivery: results,
      });
    }
  }

  await app.stateStore.save(state);
  try {
    await app.search.writeHistory(history);
  } catch (error) {
    summary.historyError = errorMessage(error);
    app.counters.addMetric(AlertMetrics.historyFailures, 'Count', 1);
    app.logger.warn('alert history not written', { error: summary.historyError });
  }

  app.counters.addMetric(AlertMetrics.ruleErrors, 'Count', summary.ruleErrors);
  app.counters.addMetric(AlertMetrics.configErrors, 'Count', summary.configErrors);
  app.counters.addMetric(AlertMetrics.matches, 'Count', summary.matches);
  app.counters.addMetric(AlertMetrics.suppressed, 'Count', summary.suppressed);
  app.counters.addMetric(AlertMetrics.notifications, 'Count', summary.notifications);
  app.counters.addMetric(AlertMetrics.deliveryFailures, 'Count', summary.deliveryFailures);
  app.logger.info('alert run', { ...summary });
  return summary;
}
