import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiError, looksSecretName } from '@batchyard/core';

/**
 * Secret-looking property values written in a task definition's DSL (`etl --db.password=x`) are
 * kept sealed (AES-256-GCM) in the database and opened only when a launch builds the task's
 * arguments; every response masks them. Without a key the server refuses such values and says
 * how to pass secrets instead.
 */

const PREFIX = 'sealed:v1:';
/** A `--name=value` DSL property; quoted values are taken whole ('' and "" escape a quote). */
const DSL_PROPERTY_RE = /(--)([A-Za-z0-9_.-]+)(\s*=\s*)('(?:[^']|'')*'|"(?:[^"]|"")*"|[^\s&|<>;,]+)/g;

export class SecretSealer {
  private constructor(private readonly key: Buffer | undefined) {}

  /** `base64` of 32 bytes, or a key file created on first use (embedded database). */
  static create(options: { key?: string; keyFile?: string }): SecretSealer {
    if (options.key) {
      const key = Buffer.from(options.key, 'base64');
      if (key.length !== 32) throw new Error('redaction.encryptionKey must be 32 bytes, base64-encoded');
      return new SecretSealer(key);
    }
    if (options.keyFile) return new SecretSealer(keyFromFile(options.keyFile));
    return new SecretSealer(undefined);
  }

  /** Whether a key is configured (or kept for the embedded database), so values can be sealed. */
  get canSeal(): boolean {
    return this.key !== undefined;
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX) || value.startsWith(`'${PREFIX}`);
  }

  seal(plain: string): string {
    const key = this.requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The plain value of a sealed one; anything else unchanged. */
  open(value: string): string {
    if (!value.startsWith(PREFIX)) return value;
    const key = this.requireKey();
    const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The DSL with every secret-looking property value sealed (already sealed ones are kept). */
  sealDsl(text: string, path = 'body.definition'): string {
    return text.replace(DSL_PROPERTY_RE, (match, dashes: string, name: string, eq: string, value: string) => {
      if (!looksSecretName(name) || SecretSealer.isSealed(value)) return match;
      if (!this.key) {
        throw new ApiError(
          'INVALID_PROPERTY',
          `${path}: --${name} looks like a secret, and no encryption key is configured to keep it sealed`,
          [
            {
              path,
              message: `--${name} looks secret: pass it at launch (it is masked), as a Kubernetes Secret reference, or set BATCHYARD_ENCRYPTION_KEY`,
            },
          ],
        );
      }
      return `${dashes}${name}${eq}'${this.seal(unquote(value))}'`;
    });
  }

  private requireKey(): Buffer {
    if (!this.key) throw new Error('no encryption key configured (redaction.encryptionKey)');
    return this.key;
  }
}

function unquote(value: string): string {
  const q = value[0];
  if ((q === "'" || q === '"') && value.endsWith(q) && value.length >= 2) {
    return value.slice(1, -1).replaceAll(`${q}${q}`, q);
  }
  return value;
}

function keyFromFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
