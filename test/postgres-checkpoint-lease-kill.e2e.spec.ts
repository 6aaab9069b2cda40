import { Client } from 'pg';
import { PostgresApiKeyStore } from '@aidwatch/access';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { startService, type AidwatchService } from './support/aidwatch-service';
import { shrinkageStory } from './support/stories';
import { until } from './support/until';

/**
 * On PostgreSQL one API replica at a time writes each checkpoint of the read model and the alert book, by a
 * lease (`checkpoint:<projection>` in `aidwatch_leases`). Here the replica holding both leases is killed with
 * SIGKILL while events keep coming: another replica must take the leases over once they lapse, and a replica
 * started afterwards must restore a whole checkpoint (not replay from the start) and serve what the others do.
 */
function startReplica(
  role: 'ingestor' | 'detector' | 'api',
  database: TestDatabase,
  name: string,
): AidwatchService {
  return startService({ role, name, databaseUrl: database.url, env: { CHECKPOINT_EVERY_MS: '200' } });
}

describeWithPostgres('an API replica killed while it holds the checkpoint leases (PostgreSQL)', () => {
  jest.setTimeout(240_000);
  let database: TestDatabase;
  let sql: Client;
  const services: AidwatchService[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('lease_kill');
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    for (const s of services) await s.stop('SIGTERM');
    await sql?.end();
    await database?.drop();
  });

  /** Holder of each `checkpoint:` lease whose lease is live. */
  const holders = async (): Promise<Map<string, string>> => {
    const { rows } = await sql.query<{ name: string; holder: string }>(
      `SELECT name, holder FROM aidwatch_leases WHERE name LIKE 'checkpoint:%' AND expires_at > clock_timestamp()`,
    );
    return new Map(rows.map((r) => [r.name, r.holder]));
  };
  const heldBy = (holder: string | undefined, s: AidwatchService) => holder?.includes(`:${s.pid}:`) === true;

  it('the other replica takes the leases over; a replica started afterwards restores a whole checkpoint', async () => {
    // Separate services, as in production: an ingestor, a detector and API replicas B, then C. B runs alone
    // among the APIs until it holds both checkpoint leases.
    const ingestor = startReplica('ingestor', database, 'lease-ingestor');
    const detector = startReplica('detector', database, 'lease-detector');
    const b = startReplica('api', database, 'lease-b');
    services.push(ingestor, detector, b);
    const [urlIngestor, urlB] = await Promise.all([ingestor.url, b.url, detector.url]);

    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    const operator = (await keys.create({ role: 'operator', label: 'lease-test' })).key;
    const producer = (await keys.create({ role: 'producer', label: 'lease-test', sources: ['*'] })).key;
    await keys.close();
    const get = async (url: string, path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${operator}` } });
      expect(res.status).toBeLessThan(500);
      return { status: res.status, body: (await res.json()) as any };
    };
    const post = async (events: unknown[]) => {
      const res = await fetch(`${urlIngestor}/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${producer}`,
          'content-type': 'application/cloudevents-batch+json',
        },
        body: JSON.stringify(events),
      });
      expect(res.status).toBe(202);
    };
    const flagsOf = async (url: string) =>
      (
        (await get(url, '/flags?limit=1000')).body.items as Array<{
          flagId: string;
          status: string;
          consignmentIds: string[];
        }>
      )
        .map((f) => `${f.flagId}:${f.status}:${f.consignmentIds.join(',')}`)
        .sort();
    const alertsOf = async (url: string) =>
      (
        (await get(url, '/alerts?limit=1000')).body.items as Array<{
          alertId: string;
          status: string;
          flagIds: string[];
        }>
      )
        .map((x) => `${x.alertId}:${x.status}:${[...(x.flagIds ?? [])].sort().join(',')}`)
        .sort();
    const shows = (story: { consignmentId: string }) => async (url: string) =>
      (await flagsOf(url)).some((f) => f.includes(story.consignmentId)) ? true : undefined;

    const zero = shrinkageStory('lease-zero');
    await post(zero.events);
    await until("the first story's flag on B", () => shows(zero)(urlB), 60_000);
    const names = await until(
      'B holding the read model and alert book checkpoint leases',
      async () => {
        const live = await holders();
        const mine = [...live].filter(([, h]) => heldBy(h, b)).map(([n]) => n);
        return mine.length >= 2 ? mine.sort() : undefined;
      },
      30_000,
    );
    expect(names.some((n) => n.startsWith('checkpoint:read-model'))).toBe(true);
    const c = startReplica('api', database, 'lease-c');
    services.push(c);
    const urlC = await c.url;

    const first = shrinkageStory('lease-one');
    await post(first.events);
    for (const url of [urlB, urlC])
      await until(`the first story's flag on ${url}`, () => shows(first)(url), 60_000);

    // B dies holding the leases, as its replicas fold the second story.
    const second = shrinkageStory('lease-two');
    await post(second.events);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await b.stop('SIGKILL');

    // Once B's leases lapse (three checkpoint intervals, at least 30 s), A or C takes each over.
    const taken = await until(
      'the checkpoint leases taken over by a live replica',
      async () => {
        const live = await holders();
        const ok = names.every((n) => heldBy(live.get(n), c));
        return ok ? live : undefined;
      },
      90_000,
    );
    process.stdout.write(`checkpoint leases after the kill: ${JSON.stringify([...taken])}\n`);
    await until('the second story on C', () => shows(second)(urlC), 60_000);

    // A replica started now restores the checkpoint the new holders wrote and folds on from it.
    const d = startReplica('api', database, 'lease-d');
    services.push(d);
    const urlD = await d.url;
    const wantFlags = await until(
      "C's flags",
      async () => {
        const fc = await flagsOf(urlC);
        return (await shows(second)(urlC)) && fc.length > 0 ? fc : undefined;
      },
      60_000,
    );
    await until(
      'D serving the same flags',
      async () => (JSON.stringify(await flagsOf(urlD)) === JSON.stringify(wantFlags) ? true : undefined),
      60_000,
    );
    const wantAlerts = await alertsOf(urlC);
    expect(wantAlerts.length).toBeGreaterThan(0);
    await until(
      'D serving the same alerts',
      async () => (JSON.stringify(await alertsOf(urlD)) === JSON.stringify(wantAlerts) ? true : undefined),
      60_000,
    );
    // D restored a checkpoint: once a third story is folded by both, D has folded only what came after its
    // checkpoint, C everything from the start.
    const third = shrinkageStory('lease-three');
    await post(third.events);
    for (const url of [urlC, urlD]) await until(`the third story on ${url}`, () => shows(third)(url), 60_000);
    const folded = async (url: string) => {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${operator}` } });
      expect(res.status).toBe(200);
      const match = /aidwatch_projection_events_total\{projection="read-model"\} (\d+)/.exec(
        await res.text(),
      );
      return Number(match?.[1]);
    };
    const [byC, byD] = [await folded(urlC), await folded(urlD)];
    process.stdout.write(
      `read-model events folded: C ${byC} (from the start), D ${byD} (after its checkpoint)\n`,
    );
    expect(byD).toBeGreaterThan(0);
    expect(byD).toBeLessThan(byC);
    for (const s of [ingestor, detector, c, d]) expect(s.running()).toBe(true);
  });
});
