import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';

const root = path.resolve(__dirname, '..');

interface Detector {
  child: ChildProcess;
  url: Promise<string>;
  dataDir: string;
}

/** A detector process (apps/detector/src/main.ts) on the database, with a data directory of its own. */
function startDetector(database: TestDatabase, ttlMs: number): Detector {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-detector-'));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/detector/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: path.join(root, 'tsconfig.json'),
      EVENT_STORE: 'postgres',
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      DETECTOR_LEASE_TTL_MS: String(ttlMs),
      PORT: '0',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/[^\s"]+)/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`detector exited with ${code} before listening`)));
  });
  url.catch(() => undefined);
  return { child, url, dataDir };
}

interface LeaseHealth {
  role: 'active' | 'standby';
  lease: { holder: string; generation: number; expiresAt: string } | null;
  holder: string;
}

async function leaseOf(detector: Detector): Promise<LeaseHealth> {
  const response = await fetch(`${await detector.url}/health`);
  const body = (await response.json()) as { checks: { lease: { detail: LeaseHealth } } };
  return body.checks.lease.detail;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithPostgres('detector failover on PostgreSQL', () => {
  jest.setTimeout(120_000);
  let database: TestDatabase;
  const detectors: Detector[] = [];

  beforeAll(async () => (database = await createTestDatabase('failover')));
  afterAll(async () => {
    for (const d of detectors) {
      if (d.child.exitCode === null && d.child.signalCode === null) {
        d.child.kill('SIGCONT');
        d.child.kill('SIGKILL');
        await new Promise((resolve) => d.child.once('exit', resolve));
      }
      fs.rmSync(d.dataDir, { recursive: true, force: true });
    }
    await database?.drop();
  });

  it('one detector is active and one stands by; a paused active one is replaced within the bound and steps down when it resumes', async () => {
    const ttlMs = 10_000; // the default: takeover within TTL + TTL/4 = 12.5 s, under the 15 s asked for
    const first = startDetector(database, ttlMs);
    detectors.push(first);
    await until(
      'the first detector active',
      async () => ((await leaseOf(first)).role === 'active' ? true : undefined),
      30_000,
    );
    // The active one renews every TTL/4: /health shows each renewal's new expiry, not the first one's.
    const tookAt = (await leaseOf(first)).lease!.expiresAt;
    const renewedTo = await until(
      'a renewal shown in /health',
      async () => {
        const { lease } = await leaseOf(first);
        return lease && Date.parse(lease.expiresAt) > Date.parse(tookAt) ? lease.expiresAt : undefined;
      },
      ttlMs,
    );
    expect(Date.parse(renewedTo) - Date.now()).toBeGreaterThan(ttlMs / 2);
    const second = startDetector(database, ttlMs);
    detectors.push(second);
    await second.url;
    const standing = await leaseOf(second);
    const active = await leaseOf(first);
    expect(standing.role).toBe('standby');
    expect(standing.lease?.holder).toBe(active.holder);

    first.child.kill('SIGSTOP'); // paused: it neither renews nor releases
    const paused = Date.now();
    const taken = await until(
      'the standby taking over',
      async () => {
        const lease = await leaseOf(second);
        return lease.role === 'active' ? lease : undefined;
      },
      20_000,
    );
    const takeoverMs = Date.now() - paused;
    process.stdout.write(`detector failover: standby active ${takeoverMs} ms after the leader was paused\n`);
    expect(takeoverMs).toBeLessThan(15_000);
    expect(taken.lease).toMatchObject({
      holder: taken.holder,
      generation: (active.lease?.generation ?? 0) + 1,
    });

    first.child.kill('SIGCONT');
    const resumed = await until(
      'the former leader stepping down',
      async () => {
        const lease = await leaseOf(first);
        return lease.role === 'standby' ? lease : undefined;
      },
      15_000,
    );
    expect(resumed.lease?.holder).toBe(taken.holder);
    expect((await leaseOf(second)).role).toBe('active');
  });
});
