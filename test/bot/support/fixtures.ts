/** Reads the seed-derived fixtures under test/fixtures (each `{source, section, note?, payload}`). */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** One fixture file's content. */
export interface Fixture {
  name: string;
  source: string;
  section: string;
  payload: unknown;
}

/** The fixture `name` (without .json) of `platform`. */
export function loadFixture(platform: 'ultimate' | 'csml', name: string): Fixture {
  const parsed = JSON.parse(readFileSync(join(root, platform, `${name}.json`), 'utf8')) as Omit<Fixture, 'name'>;
  return { name, ...parsed };
}

/** Every fixture of `platform` whose name matches `pattern`. */
export function loadFixtures(platform: 'ultimate' | 'csml', pattern: RegExp): Fixture[] {
  return readdirSync(join(root, platform))
    .filter((file) => file.endsWith('.json') && pattern.test(file))
    .sort()
    .map((file) => loadFixture(platform, file.slice(0, -'.json'.length)));
}
