import { appendFileSync } from 'node:fs';
import net from 'node:net';

// Preloaded (`node --import`) into `serverless package` by package.test.ts: every outgoing TCP
// connection that is not loopback is logged to $NETWORK_LOG and refused, so the test sees any
// attempt to reach the internet (or AWS) instead of it silently succeeding or timing out.

const log = process.env.NETWORK_LOG;
const loopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  const options = (typeof first === 'object' && first !== null ? first : {}) as {
    host?: string;
    path?: string;
  };
  const host = typeof first === 'number' ? String(args[1] ?? 'localhost') : (options.host ?? 'localhost');
  if (options.path === undefined && !loopback(host)) {
    if (log) appendFileSync(log, `${host}\n`);
    process.nextTick(() => this.destroy(new Error(`network access blocked by the test: ${host}`)));
    return this;
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
