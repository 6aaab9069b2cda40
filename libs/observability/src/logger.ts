import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(options: { level: string; pretty?: boolean; name?: string }): Logger {
  return pino({
    name: options.name ?? 'aidwatch',
    level: options.level,
    transport: options.pretty
      ? { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } }
      : undefined,
  });
}
