/**
 * `npm run teams:package`: the Teams app package to upload. Fills the bot's MicrosoftAppId into
 * manifests/teams/manifest.json (app id, bot id, RSC web application id), checks the icons Teams
 * requires (192x192 colour, 32x32 outline), and zips manifest and icons, flat, into
 * manifests/teams/build/app-package.zip.
 *
 * Usage: MicrosoftAppId=<guid> npm run teams:package   (or: npm run teams:package -- --app-id <guid>)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strToU8, zipSync } from 'fflate';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const icons = { 'color.png': 192, 'outline.png': 32 } as const;

/** Where the package is built from and to. */
export interface PackageOptions {
  appId: string;
  /** Folder with manifest.json and the icons. */
  sourceDir: string;
  /** Path of the zip to write. */
  outFile: string;
}

/** Build the app package; throws with a one-line reason when an input is wrong. */
export function buildTeamsPackage(options: PackageOptions): { outFile: string; manifest: Record<string, unknown> } {
  if (!guid.test(options.appId)) throw new Error(`MicrosoftAppId must be the Azure Bot's app (client) id, a GUID; got "${options.appId}"`);
  const template = readFileSync(join(options.sourceDir, 'manifest.json'), 'utf8');
  const filled = template.replaceAll('{{MicrosoftAppId}}', options.appId.toLowerCase());
  const leftover = /\{\{[^}]+\}\}/.exec(filled);
  if (leftover) throw new Error(`manifest.json has a placeholder this script does not fill: ${leftover[0]}`);
  const manifest = JSON.parse(filled) as Record<string, unknown>;
  const files: Record<string, Uint8Array> = { 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)) };
  for (const [name, size] of Object.entries(icons)) {
    const png = readFileSync(join(options.sourceDir, name));
    const [width, height] = pngSize(png, name);
    if (width !== size || height !== size) throw new Error(`${name} must be ${size}x${size} pixels; it is ${width}x${height}`);
    files[name] = png;
  }
  mkdirSync(dirname(options.outFile), { recursive: true });
  writeFileSync(options.outFile, zipSync(files, { level: 9 }));
  return { outFile: options.outFile, manifest };
}

function pngSize(png: Buffer, name: string): [number, number] {
  const signature = '89504e470d0a1a0a';
  if (png.subarray(0, 8).toString('hex') !== signature || png.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error(`${name} is not a PNG file`);
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

function appIdFromArgs(args: string[]): string | undefined {
  const at = args.indexOf('--app-id');
  return at >= 0 ? args[at + 1] : undefined;
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const root = join(import.meta.dirname, '..');
  const appId = appIdFromArgs(process.argv.slice(2)) ?? process.env.MicrosoftAppId ?? '';
  try {
    const { outFile } = buildTeamsPackage({ appId, sourceDir: join(root, 'manifests', 'teams'), outFile: join(root, 'manifests', 'teams', 'build', 'app-package.zip') });
    process.stdout.write(`Teams app package written to ${outFile}\n`);
  } catch (error) {
    process.stderr.write(`teams:package: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
