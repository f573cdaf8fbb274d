/**
 * Durability across a real process restart: a child process writes a conversation and an
 * undelivered outbox entry to a SQLite file and dies without closing the store; this process
 * then opens the same file and finds both intact, the entry listed for resumption.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { conversation, text } from './conformance/samples.js';

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
    it(`keeps a conversation and an undelivered message when the writer dies (${mode})`, async () => {
      const path = join(dir, `restart-${mode}.db`);
      const result = await runWriter(path, mode);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('written\n');
      if (mode === 'kill') expect(result.signal).toBe('SIGKILL');
      else expect(result.code).toBe(0);
      // The WAL is still there: nobody closed the database, so nothing was checkpointed on the way out.
      expect(existsSync(`${path}-wal`)).toBe(true);

      const store = new SqliteStore({ path });
      try {
        const expected = conversation('c-crash');
        expect(await store.getConversation('c-crash')).toEqual(expected);
        expect(await store.findConversationByAddress(expected.address.channel, expected.address.key)).toEqual(expected);
        expect(await store.conversationsWithPending(10)).toEqual(['c-crash']);
        expect(await store.pending('c-crash', 10)).toEqual([
          { conversationId: 'c-crash', seq: 2, message: text('still undelivered'), enqueuedAt: 1_700_000_000_000, attempts: 0 },
        ]);
        expect((await store.enqueue('c-crash', [text('after restart')], 1_700_000_000_001))[0]?.seq).toBe(3);
      } finally {
        await store.close();
      }
    });
  }
});
