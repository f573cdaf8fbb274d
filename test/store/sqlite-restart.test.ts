/**
 * Durability across a real process restart: a child process writes a conversation, an
 * undelivered outbox entry with its progress and a dedupe key to a SQLite file and dies without
 * closing the store (also by kill -9); this process then opens the same file and finds all of it
 * intact, the entry listed for resumption and its lease free to take with a larger token.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { leaseOf } from './conformance/fixture.js';
import { conversation, message, queue, queuedSeqs } from './conformance/samples.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const writer = fileURLToPath(new URL('./fixtures/sqlite-crash-writer.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bridge-restart-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the writer in a real Node process with tsx registered (`node --import tsx`, Node ≥ 20.6). */
function runWriter(path: string, mode: 'exit' | 'kill'): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, path, mode], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('sqlite store across a process restart', () => {
  for (const mode of ['exit', 'kill'] as const) {
    it(`keeps a conversation, an undelivered entry and its progress when the writer dies (${mode})`, async () => {
      const path = join(dir, `restart-${mode}.db`);
      const result = await runWriter(path, mode);
      expect(result.stderr).toBe('');
      const written = /^written (\d+)\n$/.exec(result.stdout);
      expect(written).not.toBeNull();
      if (mode === 'kill') expect(result.signal).toBe('SIGKILL');
      else expect(result.code).toBe(0);
      // The WAL is still there: nobody closed the database, so nothing was checkpointed on the way out.
      expect(existsSync(`${path}-wal`)).toBe(true);

      const store = new SqliteStore({ path });
      try {
        const expected = conversation('c-crash');
        expect(await store.getConversation('c-crash')).toEqual({ value: expected, version: 1 });
        expect(await store.findConversationByAddress(expected.address.channel, expected.address.key)).toEqual({
          value: expected,
          version: 1,
        });
        expect(await store.queuesWithPending(10)).toEqual([queue('c-crash')]);
        expect(await store.pending(queue('c-crash'), 10)).toEqual([
          {
            destination: 'conversation',
            key: 'c-crash',
            seq: 2,
            payload: message('still undelivered'),
            enqueuedAt: 1_700_000_000_000,
            attempts: 0,
            progress: { posted: ['1712345678.000200'], part: 1 },
          },
        ]);
        const retried = await store.enqueue(queue('c-crash'), [message('still undelivered')], 1_700_000_000_001, {
          key: 'Ev-crash',
          ttlMs: 600_000,
        });
        expect(retried).toEqual({ status: 'duplicate' });
        const lease = await leaseOf(store, queue('c-crash'));
        expect(lease.token).toBeGreaterThan(Number(written![1]));
        await store.complete(lease, 2);
        expect(queuedSeqs(await store.enqueue(queue('c-crash'), [message('after restart')], 1_700_000_000_002))[0]).toBe(3);
      } finally {
        await store.close();
      }
    });
  }
});
