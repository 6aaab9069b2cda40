import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApiKeyGrant, ApiKeyStore, SyncKeyIssuer } from '@aidwatch/access';
import { API_KEY_STORE, rootModule, startApp, type StartedApp } from '@aidwatch/runtime';
import { allInOneFeatures } from '../../apps/aidwatch/src/app.module';

export interface TestSystem extends StartedApp {
  dataDir: string;
  stop(): Promise<void>;
  /** Issues an API key in the system's key store (what `POST /admin/keys` does) and returns the token. */
  credential(grant: ApiKeyGrant): string;
  /** Keys the tests use by default: an operator (reads everything), a producer allowed every source, an admin. */
  keys: { operator: string; producer: string; admin: string };
  /**
   * `fetch` with `Authorization: Bearer <key>`: `as` when given, else the producer key for writes and the
   * operator key for reads. Pass `as: null` to send no credential.
   */
  fetch(url: string, init?: RequestInit & { as?: string | null }): Promise<Response>;
  /** Headers carrying a key (the operator's unless given), for clients that build their own requests. */
  auth(key?: string): Record<string, string>;
}

/** Starts ingestor, detector and API in this process on a fresh data directory and a free port. */
export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-test-'));
  const started = await startApp(
    'aidwatch',
    (config, logger) => rootModule(config, logger, allInOneFeatures),
    {
      env: {
        PORT: '0',
        LOG_LEVEL: 'warn',
        DEMO: 'false',
        DATA_DIR: dataDir,
        CHECKPOINT_EVERY_MS: '200',
        ...env,
      },
      host: '127.0.0.1',
    },
  );
  const store = started.app.get<ApiKeyStore & Partial<SyncKeyIssuer>>(API_KEY_STORE);
  if (!store.createSync) throw new Error('startTestSystem issues keys inline: use an embedded key store');
  const credential = (grant: ApiKeyGrant) => store.createSync!({ label: 'test', ...grant }).key;
  const keys = {
    operator: credential({ role: 'operator' }),
    producer: credential({ role: 'producer', sources: ['*'] }),
    admin: credential({ role: 'admin' }),
  };
  const auth = (key: string = keys.operator) => ({ authorization: `Bearer ${key}` });
  return {
    ...started,
    dataDir,
    stop: async () => {
      await started.app.close();
    },
    credential,
    keys,
    auth,
    fetch: (url, init = {}) => {
      const { as, ...rest } = init;
      const write = (rest.method ?? 'GET').toUpperCase() !== 'GET';
      const key = as === undefined ? (write ? keys.producer : keys.operator) : as;
      const headers = new Headers(rest.headers);
      if (key !== null) headers.set('authorization', `Bearer ${key}`);
      return fetch(url, { ...rest, headers });
    },
  };
}

export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
