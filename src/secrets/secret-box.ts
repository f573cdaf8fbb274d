/**
 * Secrets at rest (stored Slack installations) under SECRETS_KEY with AES-256-GCM from node:crypto:
 * a fresh random 12-byte IV for every seal, GCM's 16-byte tag checked on every open, and the
 * record's key as associated data, so a sealed value copied into another record does not open.
 * A value that does not open (another key, or altered) fails with one line naming SECRETS_KEY.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../core/errors.js';

/** AES-256 needs a 32-byte key. */
export const secretsKeyBytes = 32;

const ivBytes = 12;
const tagBytes = 16;
const formatVersion = 'v1';

/**
 * SECRETS_KEY as bytes: 64 hex characters, else base64 (or base64url) of exactly 32 bytes;
 * undefined for anything else.
 */
export function parseSecretsKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === secretsKeyBytes ? bytes : undefined;
}

/** Seals and opens strings under one key. */
export class SecretBox {
  private readonly key: Buffer;

  /** `random` makes the IVs; tests may fix it, production keeps `randomBytes`. */
  constructor(key: Buffer, private readonly random: (size: number) => Buffer = randomBytes) {
    if (key.length !== secretsKeyBytes) throw new ConfigError(`Invalid environment variable SECRETS_KEY: must be ${secretsKeyBytes} bytes`);
    this.key = Buffer.from(key);
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; `context` must be given again to open it. */
  seal(plaintext: string, context: string): string {
    const iv = this.random(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [formatVersion, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /** The plaintext of a sealed value; throws ConfigError naming SECRETS_KEY when it does not open. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== formatVersion || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new ConfigError(`Stored secret ${context} is not in the ${formatVersion} format`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new ConfigError(`Invalid environment variable SECRETS_KEY: it does not decrypt ${context} (stored with another key, or altered)`, { cause: error });
    }
  }
}
