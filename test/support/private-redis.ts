/**
 * A private redis-server for tests that must break Redis (freeze it, kill it) without disturbing
 * the shared one at 127.0.0.1:6379: the real binary on a free loopback port, with no persistence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { pollFor } from './poll.js';

/** A running private redis-server. */
export interface PrivateRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** SIGSTOP: connections stay open but nothing is answered, as with a hung Redis. */
  freeze(): void;
  /** SIGCONT: it answers again, also what was sent while it was frozen. */
  thaw(): void;
  /** A clean shutdown (SIGTERM), waiting for the process to exit. */
  stop(): Promise<void>;
  /** A crash (SIGKILL), waiting for the process to exit. */
  kill(): Promise<void>;
}

/** Starts redis-server on a free port and resolves once it answers PING; tries another port if one was taken meanwhile. */
export async function startPrivateRedis(attempts = 3): Promise<PrivateRedis> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      return await startOn(await freePort());
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw new Error(`redis-server did not start after ${attempts} attempts: ${lastError?.message}`);
}

async function startOn(port: number): Promise<PrivateRedis> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-2000));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = once(child, 'exit');
  // A test that fails half-way must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let gone = false;
  void exited.then(() => {
    gone = true;
    process.off('exit', killOnExit);
  });
  try {
    await pollFor(
      async () => {
        if (gone) throw new Error(`redis-server on port ${port} exited: ${output.trim()}`);
        return (await answersPing(port)) ? true : undefined;
      },
      `redis-server on port ${port} to answer PING`,
      10_000,
    );
  } catch (error) {
    await stopChild(child, exited, 'SIGKILL');
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    stop: () => stopChild(child, exited, 'SIGTERM'),
    kill: () => stopChild(child, exited, 'SIGKILL'),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // A stopped process would hold SIGTERM until it is continued.
  child.kill('SIGCONT');
  child.kill(signal);
  await exited;
}

/** A port the kernel just handed out on loopback, closed again for redis-server to take. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port for the private redis-server');
  return address.port;
}

/** True when something on the port answers an inline PING with +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
