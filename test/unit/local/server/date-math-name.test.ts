import { describe, expect, it } from 'vitest';
import { resolveDateMathName } from '../../../../infra/local/opensearch/date-math-name.ts';

// 2024-03-22T15:30:45Z, a Friday.
const NOW = Date.UTC(2024, 2, 22, 15, 30, 45);

describe('resolveDateMathName', () => {
  it.each([
    ['logs', 'logs'],
    ['<logs-{now/d}>', 'logs-2024.03.22'],
    ['<logs-{now}>', 'logs-2024.03.22'],
    ['<logs-{now/M{yyyy.MM}}>', 'logs-2024.03'],
    ['<logs-{now-1M/M{yyyy.MM}}>', 'logs-2024.02'],
    ['<logs-{now-1d/d}>', 'logs-2024.03.21'],
    ['<logs-{now/w{yyyy.MM.dd}}>', 'logs-2024.03.18'],
    ['<logs-{now/y{yyyy}}>', 'logs-2024'],
    ['<logs-{now/h{yyyy.MM.dd.HH}}>', 'logs-2024.03.22.15'],
    ['<logs-{now/d{yyyy.MM.dd|+12:00}}>', 'logs-2024.03.23'],
    ['<logs-{now/d{yyyy.MM.dd|-16:00}}>', 'logs-2024.03.21'],
    ['<\\{static\\}-{now/d}>', '{static}-2024.03.22'],
  ])('%s → %s', (name, expected) => {
    expect(resolveDateMathName(name, NOW)).toBe(expected);
  });

  it.each([['<logs-{yesterday}>'], ['<logs-{now/d>'], ['<logs-}>']])('rejects %s', (name) => {
    expect(() => resolveDateMathName(name, NOW)).toThrowError();
  });
});
