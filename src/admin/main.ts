/**
 * The operator's tool: `npm run admin -- <command>` against STORE_URL (default
 * `sqlite:./data/bridge.db`), safe while the bridge runs (SQLite in WAL mode, or Redis). A bad
 * command prints the usage line and exits 2; a store that cannot be opened exits 1 with one line.
 */
import pino from 'pino';
import { createLogger } from '../core/logger.js';
import { openStore } from '../store/open-store.js';
import { parseAdminArgs, usage, UsageError } from './admin-args.js';
import { runAdminCommand } from './admin-cli.js';

async function main(): Promise<number> {
  let command;
  try {
    command = parseAdminArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  }
  // Log lines go to stderr, so --json output on stdout stays one parseable document.
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
  const store = openStore(process.env.STORE_URL ?? 'sqlite:./data/bridge.db');
  try {
    return await runAdminCommand(command, store, { line: (text) => process.stdout.write(`${text}\n`) }, logger);
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
