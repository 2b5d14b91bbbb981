import { pino, type Logger } from 'pino';

export type { Logger };

/** The process logger: JSON lines on stdout, level from JOULE_LOG_LEVEL (default info; `silent` in tests). */
export function createLogger(level = process.env.JOULE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
