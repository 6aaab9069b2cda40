import { Client } from 'pg';
import { PostgresApiKeyStore } from '@aidwatch/access';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { startService, waitForHealth, type AidwatchService } from './support/aidwatch-service';
import { shrinkageStory } from './support/stories';

// A write transaction left open on the shared database holds delivery of every event committed after it (the
// PostgreSQL store waits for older transactions to end, up to 10 s a read). /health must then still answer,
// every check with its state, not fail them for want of an answer (its per-check timeout is longer than that
// wait). What the projections report meanwhile is what they can read: the held events are not visible yet.
describeWithPostgres('GET /health while a write transaction stays open on PostgreSQL', () => {
  jest.setTimeout(120_000);
  let database: TestDatabase;
  let service: AidwatchService | undefined;
  let blocker: Client | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('open_tx_health');
  });
  afterAll(async () => {
    await blocker?.end().catch(() => undefined);
    await service?.stop('SIGTERM');
    await database?.drop();
  });

  it('answers 200 with every check ok, and detection takes the held events once the transaction ends', async () => {
    service = startService({ role: 'aidwatch', databaseUrl: database.url });
    await waitForHealth(service);
    const url = await service.url;
    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    const producer = (await keys.create({ role: 'producer', sources: ['*'], label: 'test' })).key;
    await keys.close();

    // A transaction that took a transaction id and stays open.
    blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT txid_current()');

    const story = shrinkageStory('open-tx');
    const posted = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${producer}`, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(story.events),
    });
    expect(posted.status).toBe(202);

    const started = Date.now();
    const res = await fetch(`${url}/health`);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: unknown }> };
    expect({
      status: res.status,
      failed: Object.keys(body.checks).filter((c) => !body.checks[c].ok),
    }).toEqual({
      status: 200,
      failed: [],
    });
    expect(Date.now() - started).toBeLessThan(15_000);

    // Once it ends, the held events are delivered: detection moves past them.
    type Detection = { checks: { detection?: { detail?: { processed?: number; state?: string } } } };
    const before = ((await service.health()) as Detection).checks.detection?.detail?.processed ?? 0;
    await blocker.query('COMMIT');
    for (const deadline = Date.now() + 30_000; ;) {
      const detail = ((await service.health()) as Detection).checks.detection?.detail;
      if ((detail?.processed ?? 0) >= before + story.events.length && detail?.state === 'live') break;
      if (Date.now() > deadline)
        throw new Error(`detection did not take the held events: ${JSON.stringify(detail)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});
