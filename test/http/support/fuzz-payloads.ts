/**
 * Seeded mutation of JSON payloads for the route fuzz test: drop fields, wrong types, nulls,
 * huge strings, arrays for objects, whole-body replacements. Deterministic for a given seed.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A small seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One of `items`, chosen by `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A string far longer than any field allows (100 kB); no `@`, so it never looks like an email. */
export const hugeString = 'Ü<!channel>&'.repeat(8_400).slice(0, 100_000);

const wrongValues: Json[] = [42, -1, 1e308, 0.5, true, false, '', 'text', [], {}, [1, 'a', null], { nested: { deeper: [true] } }, '<!channel>', '\u0000\uffff'];

type Path = Array<string | number>;

/** Every path to a value inside `value` (the root excluded). */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  }
  return [];
}

function parentOf(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } {
  let node = root as Json[] | Record<string, Json>;
  for (const segment of path.slice(0, -1)) node = (node as Record<string, Json>)[segment as string] as Json[] | Record<string, Json>;
  return { parent: node, key: path.at(-1)! };
}

/** What one mutation did, for the failure report. */
export interface Mutation {
  body: Json;
  description: string;
}

/** Apply one to three random mutations to a copy of `seed`. */
export function mutate(seed: Json, random: () => number): Mutation {
  let body = structuredClone(seed);
  const steps: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let step = 0; step < count; step++) {
    const paths = pathsOf(body);
    const op = paths.length === 0 ? 'root' : pick(random, ['drop', 'drop', 'type', 'type', 'null', 'huge', 'array', 'root'] as const);
    if (op === 'root') {
      body = pick(random, [null, [], 'body', 0, {}, [structuredClone(seed)]] as Json[]);
      steps.push(`root=${JSON.stringify(body).slice(0, 40)}`);
      continue;
    }
    const path = pick(random, paths);
    const { parent, key } = parentOf(body, path);
    const where = path.join('.');
    const set = (value: Json) => {
      (parent as Record<string | number, Json>)[key] = value;
    };
    switch (op) {
      case 'drop':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        steps.push(`drop ${where}`);
        break;
      case 'type': {
        const value = pick(random, wrongValues);
        set(structuredClone(value));
        steps.push(`${where}=${JSON.stringify(value)}`);
        break;
      }
      case 'null':
        set(null);
        steps.push(`${where}=null`);
        break;
      case 'huge':
        set(hugeString);
        steps.push(`${where}=<100 kB>`);
        break;
      case 'array': {
        const current = (parent as Record<string | number, Json>)[key]!;
        set([current, current]);
        steps.push(`${where}=[it, it]`);
        break;
      }
    }
  }
  return { body, description: steps.join(', ') };
}

/** How a request body goes on the wire, beyond its JSON. */
export interface WireVariant {
  contentType?: string;
  contentEncoding?: string;
  /** Cut the serialised body short (bad JSON). */
  truncate?: boolean;
  description: string;
}

/** Usually the body as it is; sometimes bad JSON, a wrong content type or a gzip header. */
export function wireVariant(random: () => number, normalType: string): WireVariant {
  const roll = random();
  if (roll < 0.7) return { contentType: normalType, description: '' };
  return pick(random, [
    { contentType: normalType, truncate: true, description: 'truncated body' },
    { contentType: 'text/plain', description: 'text/plain' },
    { contentType: 'application/xml', description: 'application/xml' },
    { contentType: 'multipart/form-data; boundary=x', description: 'multipart' },
    { description: 'no content type' },
    { contentType: normalType, contentEncoding: 'gzip', description: 'gzip header' },
    { contentType: normalType, contentEncoding: 'br', description: 'br header' },
  ] satisfies WireVariant[]);
}
