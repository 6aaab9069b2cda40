import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootModule, startApp, type StartedApp } from '@aidwatch/runtime';
import { allInOneFeatures } from '../../apps/aidwatch/src/app.module';

export interface TestSystem extends StartedApp {
  dataDir: string;
  stop(): Promise<void>;
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
  return {
    ...started,
    dataDir,
    stop: async () => {
      await started.app.close();
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
