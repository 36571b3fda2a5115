import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino replaces with `[redacted]` in every record (STYLE.md §5). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.secretAccessKey',
  '*.webhookSecret',
  'upstream.password',
  'upstream.token',
  'intake.secret',
  'admin.bootstrapToken',
  '*.bootstrapToken',
];

export interface LogOptions {
  level: string;
  pretty?: boolean;
}

/**
 * The one root logger of a process. Modules take `logger.child({ component })`
 * from their deps; nothing creates a logger of its own.
 */
export function createLogger(
  options: LogOptions,
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'customs' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}
