/**
 * A private `redis-server` for the Redis-store figures: on 127.0.0.1, a free port, its files in
 * the run's scratch directory, persistence as deploy/docker-compose.yml ships it (appendonly,
 * fsync every second, no RDB snapshots), on the systems' CPU. Started and stopped by the run;
 * nothing else connects to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import type { CpuPlacement } from './pinning.js';

/** A running private Redis. */
export interface PrivateRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** End it at once (SIGKILL), for a run that gives up. */
  kill(): void;
}

const readyTimeoutMs = 10_000;

/** Start one; rejects with a readable reason when redis-server is missing or does not come up. */
export async function startRedis(workDir: string, placement: CpuPlacement): Promise<PrivateRedis> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', workDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', join(workDir, 'redis.log')];
  const { command, args: argv } = placement.onSystemCpu('redis-server', args);
  const child = spawn(command, argv, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`redis-server could not be started: ${error.message}`))));
  await Promise.race([waitForPing(port), spawnError, exited.then((code) => Promise.reject(new Error(`redis-server exited with ${code} (log: ${join(workDir, 'redis.log')})`)))]);
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid!, stop: () => stop(child, exited), kill: () => void child.kill('SIGKILL') };
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll with an inline PING until Redis answers +PONG. */
async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (await pingOnce(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within ${readyTimeoutMs} ms`);
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString('utf8').startsWith('+PONG')));
  });
}
