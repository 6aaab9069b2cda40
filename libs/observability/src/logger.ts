import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * The process's logger: JSON lines on stdout, or (`pretty`) human-readable lines written synchronously on
 * the main thread — not through a worker transport, whose buffered lines a process ending on a signal
 * would lose (the shutdown line among them).
 */
export function createLogger(options: { level: string; pretty?: boolean; name?: string }): Logger {
  const settings = { name: options.name ?? 'aidwatch', level: options.level };
  return options.pretty
    ? pino(settings, pretty({ translateTime: 'SYS:standard', sync: true }))
    : pino(settings);
}
