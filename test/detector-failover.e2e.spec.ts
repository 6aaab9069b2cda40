import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { startService, type AidwatchService } from './support/aidwatch-service';
import { until } from './support/until';

/** A detector process (apps/detector/src/main.ts) on the database, with a data directory of its own. */
function startDetector(database: TestDatabase, ttlMs: number): AidwatchService {
  return startService({
    role: 'detector',
    databaseUrl: database.url,
    env: { DETECTOR_LEASE_TTL_MS: String(ttlMs) },
  });
}

interface LeaseHealth {
  role: 'active' | 'standby';
  lease: { holder: string; generation: number; expiresAt: string } | null;
  holder: string;
}

async function leaseOf(detector: AidwatchService): Promise<LeaseHealth> {
  const body = await detector.health<{ checks: { lease: { detail: LeaseHealth } } }>();
  return body.checks.lease.detail;
}

describeWithPostgres('detector failover on PostgreSQL', () => {
  jest.setTimeout(120_000);
  let database: TestDatabase;
  const detectors: AidwatchService[] = [];

  beforeAll(async () => (database = await createTestDatabase('failover')));
  afterAll(async () => {
    // SIGKILL after SIGCONT: a detector left paused ends too.
    for (const d of detectors) await d.stop('SIGKILL');
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

    process.kill(first.pid, 'SIGSTOP'); // paused: it neither renews nor releases
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

    process.kill(first.pid, 'SIGCONT');
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
