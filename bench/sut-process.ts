/**
 * Starts a system under test in its own Node process and talks to it over IPC. Each system gets
 * a process (and so an event loop and, on two cores, a core) of its own, as in production, so
 * the load generator and the sinks in this process neither slow it down nor get slowed by it,
 * and all three systems are measured the same way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuPlacement } from './pinning.js';
import type { ChildStats, ControlMessage, ControlRequest } from './sut/child-control.js';

/** A system under test in a child process. */
export interface SutProcess {
  name: string;
  url: string;
  /** The child's process id (for the disturbance meter). */
  pid: number;
  /** CPU and heap of the child. */
  stats(): Promise<ChildStats>;
  /** Live heap bytes: what a heap snapshot finds reachable. */
  heap(): Promise<number>;
  /** Start V8's CPU profiler in the child. */
  profileStart(): Promise<void>;
  /** Stop it and write the profile (`.cpuprofile`, for Chrome DevTools or bench/profile-summary.ts). */
  profileStop(file: string): Promise<void>;
  /** Stop it and wait for the process to end. */
  stop(): Promise<void>;
}

/** How to start one. */
export interface SutSpec {
  name: string;
  /** Entry file (TypeScript, run through tsx). */
  entry: string;
  env: Record<string, string>;
  /** Directory for the child's stdout (its logs). */
  workDir: string;
  /** Which CPU the child runs on. */
  placement: CpuPlacement;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const readyTimeoutMs = 60_000;
const requestTimeoutMs = 30_000;

/** Fork the child and wait until it listens. */
export async function startSut(spec: SutSpec): Promise<SutProcess> {
  const logPath = join(spec.workDir, `${spec.name}.log`);
  const logFd = openSync(logPath, 'a');
  // With taskset, taskset execs node in place: the child's pid and IPC channel stay the same.
  const { command, args } = spec.placement.onSystemCpu(process.execPath, ['--expose-gc', '--import', 'tsx']);
  const child = fork(spec.entry, [], {
    execPath: command,
    execArgv: args,
    // Only what the child needs: nothing of this shell's environment leaks into a system under test.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...spec.env },
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
  });
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitReady(child, spec.name, logPath);
  let nextId = 1;
  const ask = (message: DistributiveOmit<ControlRequest, 'id'>) => request(child, { ...message, id: nextId++ } as ControlRequest);
  return {
    name: spec.name,
    url,
    pid: child.pid!,
    stats: async () => statsOf(await ask({ type: 'stats' })),
    heap: async () => liveBytesOf(await ask({ type: 'heap' })),
    profileStart: async () => void (await ask({ type: 'profile-start' })),
    profileStop: async (file) => void (await ask({ type: 'profile-stop', file })),
    stop: async () => {
      if (child.connected) await ask({ type: 'stop' }).catch(() => child.kill('SIGTERM'));
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function waitReady(child: ChildProcess, name: string, logPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${readyTimeoutMs} ms (log: ${logPath})`));
    }, readyTimeoutMs);
    const onMessage = (message: ControlMessage) => {
      if (message.type !== 'ready' && message.type !== 'failed') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (message.type === 'ready') resolve(message.url);
      else reject(new Error(`${name} failed to start: ${message.message} (log: ${logPath})`));
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready (log: ${logPath})`));
    });
  });
}

function request(child: ChildProcess, message: ControlRequest): Promise<ControlMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no answer to ${message.type} within ${requestTimeoutMs} ms`));
    }, requestTimeoutMs);
    const onMessage = (answer: ControlMessage) => {
      if (answer.type === 'failed') {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(answer.message));
      } else if ('id' in answer && answer.id === message.id) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(answer);
      }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function liveBytesOf(message: ControlMessage): number {
  if (message.type !== 'heap') throw new Error(`expected heap, got ${message.type}`);
  return message.liveBytes;
}

function statsOf(message: ControlMessage): ChildStats {
  if (message.type !== 'stats') throw new Error(`expected stats, got ${message.type}`);
  return message.stats;
}
