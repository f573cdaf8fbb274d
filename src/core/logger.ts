/**
 * pino JSON logs. A line names the work it belongs to with the ids its code holds (requestId,
 * conversationId, ticketId, queue): no async context carries them. On Node 20 an
 * AsyncLocalStorage makes every promise of the process run a hook (about a sixth of the CPU of
 * an event on the hot paths, `npm run bench`), so the ids travel as data (README, Logs). Inside
 * a traced request every line also carries its `traceId`. Secrets are redacted by path, and any
 * configured secret value is masked in the message text.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { activeTraceId } from './tracing.js';

/** The ids that tie a line to its work, as log fields. */
export interface LogContext {
  requestId?: string;
  conversationId?: string;
  ticketId?: string;
  /** The outbox queue a delivery belongs to (`destination:key`). */
  queue?: string;
}

/** Field paths whose values never reach a log line. */
export const redactedPaths = [
  'authorization',
  'token',
  'password',
  'secret',
  'apiKey',
  'email',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["x-api-signature"]',
  'req.headers.authorization',
  '*.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.email',
  'metaData',
  '*.metaData',
];

/** Options for `createLogger`. */
export interface LoggerOptions {
  level: string;
  /** Secret values (tokens, keys) to mask if they ever appear inside a logged string. */
  secrets?: string[];
  destination?: DestinationStream;
}

/** The bridge's logger. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 6);
  return pino(
    {
      level: options.level,
      base: { service: 'channel-bridge' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { err: serializeError },
      mixin: () => {
        const traceId = activeTraceId();
        return traceId === undefined ? {} : { traceId };
      },
      hooks: {
        logMethod(args, method) {
          if (secrets.length > 0) {
            for (let index = 0; index < args.length; index++) {
              const arg = args[index];
              if (typeof arg === 'string') args[index] = maskSecrets(arg, secrets);
              else if (arg instanceof Error) args[index] = { err: { type: arg.name, message: maskSecrets(arg.message, secrets), code: (arg as { code?: unknown }).code } };
            }
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

/**
 * Errors are logged as type, code, status, message and stack, plus their causes' messages, and
 * nothing else: HTTP client errors carry request configs with Authorization headers.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & { code?: unknown; status?: unknown; platformCode?: unknown; response?: { status?: unknown } };
  const serialized: Record<string, unknown> = { type: error.name, message: error.message };
  if (fields.code !== undefined) serialized.code = fields.code;
  const status = fields.status ?? fields.response?.status;
  if (status !== undefined) serialized.status = status;
  if (fields.platformCode !== undefined) serialized.platformCode = fields.platformCode;
  if (error.stack) serialized.stack = error.stack;
  const causes: string[] = [];
  for (let cause = error.cause; cause instanceof Error && causes.length < 5; cause = cause.cause) causes.push(`${cause.name}: ${cause.message}`);
  if (causes.length > 0) serialized.causes = causes;
  return serialized;
}

/** Replace every occurrence of a secret in `text`. */
export function maskSecrets(text: string, secrets: string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join('[redacted]');
  return masked;
}

export type { Logger };
