import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `awk_<id>_<secret>`: `id` 16 hex digits (public, names the key in lists and
 * `DELETE /admin/keys/:id`), `secret` 64 hex digits (256 random bits). Only a salted SHA-256 of the
 * secret is stored. A fast hash is enough here because the secret is random, not a human password: with
 * 256 bits of entropy there is nothing to guess, so a slow KDF would only cost time on every request
 * (OWASP Password Storage Cheat Sheet: slow hashes are for low-entropy secrets).
 */
const KEY_PATTERN = /^awk_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface IssuedApiKey {
  id: string;
  /** The whole token, shown once. */
  key: string;
  salt: string;
  hash: string;
}

export function issueApiKey(random: (bytes: number) => Buffer = randomBytes): IssuedApiKey {
  const id = random(8).toString('hex');
  const secret = random(32).toString('hex');
  const salt = random(16).toString('hex');
  return { id, key: `awk_${id}_${secret}`, salt, hash: hashSecret(salt, secret) };
}

/** Splits a presented token into key id and secret; undefined when it is not shaped like an API key. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(token);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('awk_');
}

export function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update(':').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with the stored salted hash. */
export function secretMatches(secret: string, salt: string, hash: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const actual = Buffer.from(hashSecret(salt, secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
