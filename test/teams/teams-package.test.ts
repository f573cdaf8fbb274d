/** `npm run teams:package`: the manifest filled with the app id, icons checked, zipped flat. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTeamsPackage } from '../../scripts/teams-package.js';

const source = join(import.meta.dirname, '..', '..', 'manifests', 'teams');
const appId = '0f6b3a2c-9d41-4e7a-8b25-6c1d2e3f4a5b';
let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('teams:package', () => {
  it('zips manifest.json with the app id filled in and the two icons at the top level', () => {
    dir = mkdtempSync(join(tmpdir(), 'teams-package-'));
    const outFile = join(dir, 'build', 'app-package.zip');
    buildTeamsPackage({ appId, sourceDir: source, outFile });
    const files = unzipSync(readFileSync(outFile));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    expect(manifest).toMatchObject({
      manifestVersion: '1.17',
      id: appId,
      bots: [{ botId: appId, scopes: ['personal', 'team', 'groupChat'] }],
      webApplicationInfo: { id: appId },
      authorization: { permissions: { resourceSpecific: [{ name: 'ChannelMessage.Read.Group', type: 'Application' }] } },
    });
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(Buffer.from(files['color.png']!).equals(readFileSync(join(source, 'color.png')))).toBe(true);
  });

  it('refuses an app id that is not a GUID, and icons of the wrong size', () => {
    const work = mkdtempSync(join(tmpdir(), 'teams-package-'));
    dir = work;
    expect(() => buildTeamsPackage({ appId: 'my-bot', sourceDir: source, outFile: join(work, 'a.zip') })).toThrow(/GUID/);
    copyFileSync(join(source, 'manifest.json'), join(work, 'manifest.json'));
    copyFileSync(join(source, 'outline.png'), join(work, 'color.png'));
    copyFileSync(join(source, 'outline.png'), join(work, 'outline.png'));
    expect(() => buildTeamsPackage({ appId, sourceDir: work, outFile: join(work, 'b.zip') })).toThrow('color.png must be 192x192 pixels; it is 32x32');
    writeFileSync(join(work, 'color.png'), 'not a png');
    expect(() => buildTeamsPackage({ appId, sourceDir: work, outFile: join(work, 'c.zip') })).toThrow('color.png is not a PNG file');
  });
});
