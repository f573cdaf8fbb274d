/**
 * The bench's live-heap reading (bench/sut/child-probes.ts) in a child process of its own, as the
 * systems under test run it: what a program keeps shows up at its size, and nothing more.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const child = join(import.meta.dirname, 'fixtures', 'live-heap-child.ts');

it('counts what a process keeps: 20,000 strings of 100 characters are about 2.4 MB', async () => {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', child, '20000'], { timeout: 60_000 });
  const { before, after } = JSON.parse(stdout) as { before: number; after: number };
  // Each string is 16 bytes of header and 100 of text (116, rounded to 120), plus 8 for its slot in the array.
  const perString = (after - before) / 20_000;
  expect(perString).toBeGreaterThan(120);
  expect(perString).toBeLessThan(136);
}, 60_000);

it('refuses to read without --expose-gc, since the reading would hold garbage', async () => {
  await expect(run(process.execPath, ['--import', 'tsx', child, '10'], { timeout: 60_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('without --expose-gc') });
}, 60_000);
