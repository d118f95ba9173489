// CloudWatch metrics behind one small interface, so that health checks can be tested with a
// plain-object fake.
import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricQuery, Window } from '../core/alert/types.ts';

export interface MetricReader {
  /** The statistic over the whole window, or undefined when there are no datapoints. */
  read(query: MetricQuery, window: Window): Promise<number | undefined>;
}

/** Combines per-period datapoints into one value for the window. */
export function combineDatapoints(statistic: MetricQuery['statistic'], values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Maximum':
      return Math.max(...values);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

export function createCloudWatchMetricReader(client: CloudWatchClient): MetricReader {
  return {
    async read(query, window) {
      // Periods are whole minutes; one minute each keeps recent, partial minutes in view.
      const startMs = Math.floor(window.from / 60_000) * 60_000;
      const output = await client.send(
        new GetMetricStatisticsCommand({
          Namespace: query.namespace,
          MetricName: query.metricName,
          Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
          StartTime: new Date(startMs),
          EndTime: new Date(window.to),
          Period: 60,
          Statistics: [query.statistic],
        }),
      );
      const values = (output.Datapoints ?? [])
        .map((point) => point[query.statistic])
        .filter((value): value is number => typeof value === 'number');
      return combineDatapoints(query.statistic, values);
    },
  };
}
