// Structured logs: one JSON object per line on stderr. Callers pass fields, never Secret data or keys.
import type { Clock } from './clock.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  with(fields: Record<string, unknown>): Logger;
}

/** Fields whose names suggest key material are never written, whatever a caller passes. */
const secretish = /key|pem|secretdata|token|password|tls\.crt/i;

export function createLogger(level: Level, clock: Clock, base: Record<string, unknown> = {}, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const emit = (lvl: Level, msg: string, fields: Record<string, unknown> = {}): void => {
    if (order[lvl] < order[level]) return;
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries({ ...base, ...fields })) clean[k] = secretish.test(k) && k !== 'key' ? '[redacted]' : v;
    write(JSON.stringify({ ts: new Date(clock.now()).toISOString(), level: lvl, msg, ...clean }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (f) => createLogger(level, clock, { ...base, ...f }, write),
  };
}
