/**
 * Several processes writing one SQLite file at once: enqueue's read-then-write runs as an
 * IMMEDIATE transaction, so concurrent writers wait on the busy timeout instead of failing, and
 * every entry gets a unique seq in one gap-free sequence.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { queue } from './conformance/samples.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const worker = fileURLToPath(new URL('./fixtures/sqlite-enqueue-worker.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bridge-multi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Collects a worker's stdout lines; `line(n)` resolves with the n-th line. */
function start(path: string, count: number) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', worker, path, String(count)], {
    cwd: repoRoot,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const line = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const lines = stdout.split('\n');
        if (lines.length > n + 1) resolve(lines[n]!);
      };
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        check();
      });
      exited.then(() => reject(new Error(`worker exited before line ${n}: ${stderr}`)), reject);
      check();
    });
  return { child, line, exited, stderr: () => stderr };
}

it('gives unique, gap-free seqs to enqueues from three processes writing at once', { timeout: 30_000 }, async () => {
  const path = join(dir, 'shared.db');
  // Create and migrate the file first, so the workers race on enqueue rather than on the schema.
  await new SqliteStore({ path }).close();
  const perWorker = 150;
  const workers = [start(path, perWorker), start(path, perWorker), start(path, perWorker)];
  await Promise.all(workers.map((worker) => worker.line(0)));
  for (const worker of workers) worker.child.stdin.write('go\n');
  const results = await Promise.all(workers.map(async (worker) => JSON.parse(await worker.line(1)) as number[]));
  expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0, 0]);
  expect(workers.map((worker) => worker.stderr())).toEqual(['', '', '']);

  for (const seqs of results) expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  const all = results.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: 3 * perWorker }, (_, index) => index + 1));
  const store = new SqliteStore({ path });
  expect((await store.pending(queue('c-shared'), 1000)).map((entry) => entry.seq)).toEqual(all);
  await store.close();
});
