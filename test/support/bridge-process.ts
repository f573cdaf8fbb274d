/**
 * A real bridge process (`node --import tsx src/main.ts`, as `npm start` runs the built code) for
 * crash tests: started with an operator's environment on a free loopback port, killed with
 * SIGKILL or stopped with SIGTERM, its stderr kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { pollFor } from './poll.js';

/** A running bridge process. */
export interface BridgeProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** What the process wrote to stdout (its log lines) so far. */
  stdout(): string;
  /** SIGKILL: no shutdown at all, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Start `src/main.ts` with `env` (PATH and a free PORT are added) and wait until /healthz answers. */
export async function startBridgeProcess(env: Record<string, string>, port?: number): Promise<BridgeProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, PORT: String(listenPort), TEAMS_ENABLED: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString('utf8')).slice(-200_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${listenPort}`;
  await pollFor(async () => {
    if (child.exitCode !== null) throw new Error(`the bridge process exited with ${child.exitCode}: ${stderr}`);
    const healthy = await fetch(`${url}/healthz`).then((response) => response.ok, () => false);
    return healthy ? true : undefined;
  }, 'the bridge process to listen', 30_000);
  return {
    url,
    port: listenPort,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** What a bridge process talking to a fake Ultimate and a fake Slack needs. */
export interface SlackUltimateSetup {
  /** Left out, the caller's default store applies (an in-process bridge's temp SQLite file). */
  storeUrl?: string;
  botUrl: string;
  slackUrl: string;
  signingSecret: string;
  webhookToken?: string;
}

/** The environment of a bridge with the Ultimate backend and the Slack adapter, on loopback fakes. */
export function slackUltimateEnv(setup: SlackUltimateSetup): Record<string, string> {
  return {
    ...(setup.storeUrl === undefined ? {} : { STORE_URL: setup.storeUrl }),
    BOT_BACKEND: 'ultimate',
    ULTIMATE_API_URL: setup.botUrl,
    ULTIMATE_API_KEY: 'ultimate-key',
    ULTIMATE_BOT_ID: 'bot-1',
    WEBHOOK_TOKEN: setup.webhookToken ?? 'test-webhook-token',
    SLACK_BOT_TOKEN: 'xoxb-process-test',
    SLACK_SIGNING_SECRET: setup.signingSecret,
    SLACK_API_URL: `${setup.slackUrl}/api/`,
  };
}
