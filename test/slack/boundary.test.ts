/**
 * Boundaries: nothing outside adapters/slack imports `@slack/*`, and the pure modules (renderers,
 * codecs, classification) import no SDK and nothing that does I/O.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const scanned = ['src', 'adapters', 'test', 'bench', 'scripts'];
const slackImport = /(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]@slack\//;
const importPattern = /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/gm;

/**
 * Files outside adapters/slack allowed to import Slack's SDK, each for a stated reason:
 * - this test, whose samples of Slack imports are strings;
 * - the benchmark's "minimal Bolt app" baseline (DESIGN.md section 8), which is Bolt by definition
 *   and runs in its own child process, not in the bridge.
 */
const allowed = new Set(['test/slack/boundary.test.ts', 'bench/sut/bolt-minimal.ts']);

/** Modules that must stay pure: no SDK, no I/O, only zod and our own pure code. */
const pureModules = [
  'adapters/slack/block-kit.ts',
  'adapters/slack/click-codec.ts',
  'adapters/slack/click-update.ts',
  'adapters/slack/desk/render-ticket.ts',
  'adapters/slack/desk/ticket-action-codec.ts',
  'adapters/slack/inbound-classify.ts',
  'adapters/slack/limits.ts',
  'adapters/slack/mrkdwn.ts',
  'adapters/slack/render-blocks.ts',
  'adapters/slack/slack-text.ts',
  'adapters/slack/thread-address.ts',
];

function sourceFiles(directory: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return []; // a top-level folder that does not exist (yet) has nothing to check
  }
  return entries.flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist') return [];
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(c|m)?(t|j)sx?$/.test(entry) ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  return [...source.matchAll(importPattern)].map((match) => (match[1] ?? match[2] ?? match[3])!);
}

describe('import boundaries', () => {
  it('recognises a Slack import in every form it can take', () => {
    for (const line of ["import { App } from '@slack/bolt';", 'const x = await import("@slack/web-api");', "require('@slack/types')", "import '@slack/bolt';"]) {
      expect(slackImport.test(line)).toBe(true);
    }
    expect(slackImport.test("import { x } from './slack/thing.js';")).toBe(false);
    expect(importsOf("import type {\n  A,\n  B,\n} from '../x.js';\nconst label: Record<T['from'], string> = {};\nimport './side-effect.js';")).toEqual(['../x.js', './side-effect.js']);
  });

  it('keeps every @slack/* import inside adapters/slack', () => {
    const offenders = scanned
      .flatMap((folder) => sourceFiles(join(root, folder)))
      .map((path) => relative(root, path))
      .filter((path) => !path.startsWith('adapters/slack/') && !allowed.has(path))
      .filter((path) => slackImport.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it.each(pureModules)('%s imports no SDK and nothing that does I/O', (path) => {
    const imports = importsOf(readFileSync(join(root, path), 'utf8'));
    const impure = imports.filter((specifier) => {
      if (specifier === 'zod') return false;
      if (!specifier.startsWith('.')) return true;
      return /web-client|delivery|bolt-app|slack-users|bot-identity|index\.js|handler/.test(specifier);
    });
    expect(impure).toEqual([]);
  });
});
