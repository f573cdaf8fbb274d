/** A real pino logger (the bridge's createLogger) whose lines are kept for assertions. */
import { createLogger, type Logger } from '../../../src/core/logger.js';

/** A logger and everything it wrote. */
export interface CapturedLogger {
  logger: Logger;
  /** All lines written so far, joined. */
  text(): string;
  /** Lines written so far, parsed. */
  entries(): Array<Record<string, unknown>>;
}

/** Create a logger at debug level that records its output. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    text: () => lines.join(''),
    entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
