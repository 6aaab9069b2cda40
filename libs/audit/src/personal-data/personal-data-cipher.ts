import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { subjectKeyId, type SubjectKeyStore } from './subject-key-store';

const PREFIX = 'pd1';
/** What a reader sees in place of a personal field whose subject was forgotten. */
export const FORGOTTEN = '[forgotten]';

const b64 = (b: Buffer) => b.toString('base64url');

/**
 * Encrypts personal values with their subject's key: AES-256-GCM, the IV derived from the value
 * (HMAC-SHA256 of it under the key, as in SIV constructions) so that the same value stored again encrypts
 * the same way and byte-identical repeats stay identical. Sealed form: `pd1.<keyId>.<iv>.<ciphertext>.<tag>`.
 */
export class PersonalDataCipher {
  constructor(private readonly keys: SubjectKeyStore) {}

  /** Seals each value with its subject's key (created where missing), asking the key store once. */
  async sealAll(items: ReadonlyArray<{ subject: string; value: string }>): Promise<string[]> {
    if (items.length === 0) return [];
    const keyIds = items.map((item) => subjectKeyId(item.subject));
    const keys = await this.keys.keysFor(keyIds);
    return items.map((item, i) => sealWith(keys.get(keyIds[i]) ?? null, keyIds[i], item.value));
  }

  async seal(subject: string, value: string): Promise<string> {
    return (await this.sealAll([{ subject, value }]))[0];
  }

  /**
   * Each value opened: the plain text, FORGOTTEN if its key was destroyed, or the input unchanged if it is
   * not sealed (older data). Asks the key store once for all of them.
   */
  async openAll(values: readonly string[]): Promise<string[]> {
    const keyIds = values.filter(isSealed).map((value) => value.split('.')[1]);
    const keys = keyIds.length > 0 ? await this.keys.lookup(keyIds) : new Map<string, Buffer | null>();
    return values.map((value) => (isSealed(value) ? openWith(keys, value) : value));
  }

  async open(sealed: string): Promise<string> {
    return (await this.openAll([sealed]))[0];
  }

  close(): Promise<void> {
    return this.keys.close();
  }
}

function sealWith(key: Buffer | null, keyId: string, value: string): string {
  if (!key) return `${PREFIX}.${keyId}...`; // forgotten subjects are not stored again in readable form
  const iv = createHmac('sha256', key).update(value, 'utf8').digest().subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [PREFIX, keyId, b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
}

function openWith(keys: Map<string, Buffer | null>, sealed: string): string {
  const [, keyId, iv, ciphertext, tag] = sealed.split('.');
  const key = keys.get(keyId);
  if (!key || !ciphertext) return FORGOTTEN;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(`${PREFIX}.`) && value.split('.').length === 5;

/** A value sealed for a subject already forgotten: `pd1.<keyId>...`, no ciphertext (nothing readable stored). */
export function isForgottenSeal(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(`${PREFIX}.`) && value.endsWith('...');
}
