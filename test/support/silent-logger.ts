/** A logger for tests: silent, or capturing JSON lines when a test asserts on logs. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/logger.js';

/** A pino logger that writes nothing. */
export function silentLogger(): Logger {
  return createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}

/** A pino logger whose JSON lines are collected in `lines`. */
export function capturingLogger(options: { level?: string; secrets?: string[] } = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: options.level ?? 'debug', secrets: options.secrets, destination }), lines };
}
