/**
 * `npm run playground`: the Microsoft 365 Agents Playground (a Teams-like client with its own
 * emulated connector) against the running bridge, so the demo bot can be tried with no Azure
 * account. The bridge must run with no MicrosoftAppId (auth off), e.g. `npm start` with no
 * credentials. Extra arguments go to the Playground (`npm run playground -- --port 56150`).
 *
 * Environment: PLAYGROUND_ENDPOINT (default http://localhost:$PORT/api/messages, PORT 3000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How to start the Playground. */
export interface PlaygroundOptions {
  /** The bridge's messaging endpoint. */
  endpoint: string;
  /** Port of the Playground's web UI and API; 0 picks a free one. */
  port?: number;
  /** Where the Playground writes its log (its default is ./devTools in the working directory). */
  logFile: string;
  /** Open a browser tab; off on machines without one (the Playground crashes when it cannot). */
  openBrowser: boolean;
}

/** The command, arguments and environment that start the Playground with these options. */
export function playgroundCommand(options: PlaygroundOptions, baseEnv: NodeJS.ProcessEnv = process.env): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const args = [cli, '--app-endpoint', options.endpoint, '--channel-id', 'msteams', '--disable-telemetry'];
  if (options.port !== undefined) args.push('--port', String(options.port));
  const env: NodeJS.ProcessEnv = { ...baseEnv, M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile };
  if (!options.openBrowser) env.TEAMSAPPTESTER_BROWSER = 'none';
  return { command: process.execPath, args, env };
}

/** Whether this machine can open a browser tab (the Playground uses xdg-open on Linux). */
export function canOpenBrowser(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return false;
  return (env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, 'xdg-open')));
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const root = join(import.meta.dirname, '..');
  const endpoint = process.env.PLAYGROUND_ENDPOINT ?? `http://localhost:${process.env.PORT || '3000'}/api/messages`;
  mkdirSync(join(root, 'data'), { recursive: true });
  const openBrowser = canOpenBrowser();
  const { command, args, env } = playgroundCommand({ endpoint, logFile: join(root, 'data', 'agents-playground.log'), openBrowser });
  process.stdout.write(`Agents Playground → ${endpoint}${openBrowser ? '' : ' (no browser here: open the URL it prints)'}\n`);
  const child = spawn(command, [...args, ...process.argv.slice(2)], { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
