/**
 * The architecture's boundaries, checked on the source: platform SDKs stay in their adapter
 * folder (so a move to the Microsoft 365 Agents SDK touches one folder), and renderers stay pure.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

const shipped = ['src', 'adapters'].flatMap((dir) => sourceFiles(join(root, dir)));

describe('boundaries', () => {
  it('finds the source it checks', () => {
    expect(shipped.length).toBeGreaterThan(20);
    expect(shipped.some((file) => file.includes('/adapters/slack/'))).toBe(true);
    expect(shipped.some((file) => file.includes('/adapters/teams/'))).toBe(true);
  });

  it('keeps @slack/* imports inside adapters/slack', () => {
    const offenders = shipped.filter((file) => !file.includes('/adapters/slack/') && importsOf(file).some((spec) => spec.startsWith('@slack/')));
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('keeps botbuilder and botframework-* imports inside adapters/teams', () => {
    const offenders = shipped.filter(
      (file) => !file.includes('/adapters/teams/') && importsOf(file).some((spec) => /^(botbuilder|botframework-)/.test(spec)),
    );
    expect(offenders.map((file) => relative(root, file))).toEqual([]);
  });

  it('keeps renderers pure: no SDK, HTTP client or Node I/O imports', () => {
    const renderers = shipped.filter((file) => /\/render-[\w-]+\.ts$/.test(file));
    expect(renderers.length).toBeGreaterThanOrEqual(2);
    const impure = renderers.filter((file) =>
      importsOf(file).some((spec) => /^(@slack\/|botbuilder|botframework-|axios|node:|fs$|http$|https$|express)/.test(spec)),
    );
    expect(impure.map((file) => relative(root, file))).toEqual([]);
  });

  it('keeps the core free of platform and bot API knowledge', () => {
    const core = shipped.filter((file) => file.includes('/src/core/'));
    const leaking = core.filter((file) => importsOf(file).some((spec) => /adapters\/|\/bot\/(ultimate|csml|demo)\//.test(spec)));
    expect(leaking.map((file) => relative(root, file))).toEqual([]);
  });
});
