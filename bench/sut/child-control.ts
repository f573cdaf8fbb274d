/**
 * The control channel between the benchmark and a system under test running in a child process
 * (IPC of `child_process.fork`): the child says when it listens, and answers requests for its
 * CPU time and live heap (a heap snapshot's reachable objects), to take a CPU profile of a stretch of
 * time (V8's profiler through node:inspector), and to stop. Shared by all children.
 */
import { liveHeapBytes, processStats, startProfile, stopProfile, type ChildStats } from './child-probes.js';

export type { ChildStats };

/** What the benchmark asks a child. */
export type ControlRequest =
  | { id: number; type: 'stats' }
  | { id: number; type: 'heap' }
  | { id: number; type: 'profile-start' }
  | { id: number; type: 'profile-stop'; file: string }
  | { id: number; type: 'stop' };

/** What a child says. */
export type ControlMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { id: number; type: 'stats'; stats: ChildStats }
  | { id: number; type: 'heap'; liveBytes: number }
  | { id: number; type: 'done' }
  | { id: number; type: 'stopped' };

/** A started system under test, seen from inside its process. */
export interface RunningSystem {
  url: string;
  stop(): Promise<void>;
}

/**
 * Run a system under test in this (child) process: start it, report `ready`, serve control
 * requests, and exit after `stop`. A start failure is reported and ends the process with 1.
 */
export function serveChild(start: () => Promise<RunningSystem>): void {
  const send = (message: ControlMessage) => process.send?.(message);
  start().then(
    (started) => {
      // Stop runs once, whether the parent asks for it or goes away.
      let stopping: Promise<void> | undefined;
      const system: RunningSystem = { url: started.url, stop: () => (stopping ??= started.stop()) };
      process.on('message', (raw: ControlRequest) => {
        void answer(system, raw).then(send, (error: unknown) => send({ type: 'failed', message: describe(error) }));
      });
      // The parent's death closes the channel: do not outlive it.
      process.on('disconnect', () => void system.stop().finally(() => process.exit(0)));
      send({ type: 'ready', url: system.url });
    },
    (error: unknown) => {
      send({ type: 'failed', message: describe(error) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}

async function answer(system: RunningSystem, request: ControlRequest): Promise<ControlMessage> {
  switch (request.type) {
    case 'stats':
      return { id: request.id, type: 'stats', stats: processStats() };
    case 'heap':
      return { id: request.id, type: 'heap', liveBytes: await liveHeapBytes() };
    case 'profile-start':
      await startProfile();
      return { id: request.id, type: 'done' };
    case 'profile-stop':
      await stopProfile(request.file);
      return { id: request.id, type: 'done' };
    case 'stop':
      await system.stop();
      setImmediate(() => process.disconnect?.());
      return { id: request.id, type: 'stopped' };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

