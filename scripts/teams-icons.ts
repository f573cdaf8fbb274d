/**
 * Draws the Teams app icons with nothing but Node: a 192x192 colour icon (a white speech bubble
 * on a full-bleed teal square) and the 32x32 outline icon Teams requires (white on transparent).
 * Shapes are signed-distance functions sampled 4x4 per pixel for smooth edges; PNGs are written
 * by hand (RGBA, zlib-deflated IDAT). Run: `npx tsx scripts/teams-icons.ts` (the PNGs are committed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
/** Coverage of a shape at a point given in units of the icon's side (0..1). */
type Shape = (x: number, y: number) => boolean;

const teal: Rgba = [15, 118, 110, 255];
const white: Rgba = [255, 255, 255, 255];

function roundedRect(x0: number, y0: number, x1: number, y1: number, radius: number): Shape {
  return (x, y) => {
    const dx = Math.max(x0 + radius - x, 0, x - (x1 - radius));
    const dy = Math.max(y0 + radius - y, 0, y - (y1 - radius));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= radius * radius;
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The bubble's tail: a triangle under its lower left. */
function tail(): Shape {
  return (x, y) => y >= 0.66 && y <= 0.82 && x >= 0.3 && x <= 0.46 && x - 0.3 <= (0.82 - y) * 1.0;
}

const bubble: Shape = (x, y) => roundedRect(0.2, 0.24, 0.8, 0.68, 0.1)(x, y) || tail()(x, y);
const dots: Shape = (x, y) => [0.37, 0.5, 0.63].some((cx) => circle(cx, 0.46, 0.045)(x, y));
// Full-bleed: Teams rounds the corners of colour icons itself.
const background: Shape = () => true;
/** The bubble's ring for the outline icon: the bubble minus its inset. */
const bubbleRing: Shape = (x, y) => bubble(x, y) && !(roundedRect(0.29, 0.33, 0.71, 0.59, 0.05)(x, y));

function render(size: number, paint: (x: number, y: number) => Rgba | undefined): Buffer {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const color = paint((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!color) continue;
          const alpha = color[3] / 255;
          sum[0]! += color[0] * alpha;
          sum[1]! += color[1] * alpha;
          sum[2]! += color[2] * alpha;
          sum[3]! += alpha;
        }
      }
      const offset = (py * size + px) * 4;
      const coverage = sum[3]! / (samples * samples);
      for (let channel = 0; channel < 3; channel++) pixels[offset + channel] = sum[3]! > 0 ? Math.round(sum[channel]! / sum[3]!) : 0;
      pixels[offset + 3] = Math.round(coverage * 255);
    }
  }
  return encodePng(size, size, pixels);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A PNG of 8-bit RGBA pixels. */
function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(6, 9); // colour type: RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4); // filter byte 0 per row
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const directory = join(import.meta.dirname, '..', 'manifests', 'teams');
const color = render(192, (x, y) => (dots(x, y) && bubble(x, y) ? teal : bubble(x, y) ? white : background(x, y) ? teal : undefined));
const outline = render(32, (x, y) => (bubbleRing(x, y) ? white : undefined));
writeFileSync(join(directory, 'color.png'), color);
writeFileSync(join(directory, 'outline.png'), outline);
process.stdout.write(`wrote ${join(directory, 'color.png')} (192x192) and ${join(directory, 'outline.png')} (32x32)\n`);
