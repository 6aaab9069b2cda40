import { Client } from 'pg';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../testing/postgres-database';
import { FencedError, PostgresLease } from './lease';

describeWithPostgres('PostgresLease', () => {
  let database: TestDatabase;
  const leases: PostgresLease[] = [];
  const lease = (holder: string, ttlMs = 400) => {
    const made = new PostgresLease({ connectionString: database.url, name: 'detector', holder, ttlMs });
    leases.push(made);
    return made;
  };
  /** Runs `check` of a fence in a transaction of its own, as a fenced write would. */
  const fencedWrite = async (fence: ReturnType<PostgresLease['fence']>) => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await fence.check(client);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  };

  beforeEach(async () => (database = await createTestDatabase('lease')));
  afterEach(async () => {
    for (const made of leases.splice(0)) await made.close();
    await database.drop();
  });

  it('has one holder at a time; the other sees who holds it, and renewing keeps the generation', async () => {
    const a = lease('a');
    const b = lease('b');
    const first = await a.acquire();
    const other = await b.acquire();
    const again = await a.acquire();

    expect(first).toMatchObject({ name: 'detector', holder: 'a', generation: 1 });
    expect(other).toMatchObject({ holder: 'a', generation: 1 });
    expect(again).toMatchObject({ holder: 'a', generation: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const renewed = await a.renew(1);
    expect(renewed).toMatchObject({ holder: 'a', generation: 1 });
    expect(Date.parse(renewed!.expiresAt)).toBeGreaterThan(Date.parse(again.expiresAt));
    expect(await a.current()).toEqual(renewed);
    expect(await b.renew(1)).toBeUndefined();
  });

  it('is taken over once expired, at the next generation; the former holder can neither renew nor write', async () => {
    const a = lease('a', 300);
    const b = lease('b', 300);
    await a.acquire();
    const staleFence = a.fence(1);
    await fencedWrite(staleFence);

    await new Promise((resolve) => setTimeout(resolve, 400)); // a stops renewing (paused, killed, cut off)
    const taken = await b.acquire();

    expect(taken).toMatchObject({ holder: 'b', generation: 2 });
    expect(await a.renew(1)).toBeUndefined();
    await expect(fencedWrite(staleFence)).rejects.toBeInstanceOf(FencedError);
    await expect(fencedWrite(staleFence)).rejects.toMatchObject({ current: { holder: 'b', generation: 2 } });
    await fencedWrite(b.fence(2));
  });

  it('a release lets a standby take over at once', async () => {
    const a = lease('a', 60_000);
    const b = lease('b', 60_000);
    await a.acquire();
    await a.release(1);
    expect(await b.acquire()).toMatchObject({ holder: 'b', generation: 2 });
  });

  it('a takeover waits for a fenced write in flight, and a write after it is refused', async () => {
    const a = lease('a', 200);
    const b = lease('b', 200);
    await a.acquire();
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await a.fence(1).check(writer); // holds the lease row FOR SHARE until it commits
      await new Promise((resolve) => setTimeout(resolve, 300));
      let tookOver = false;
      const takeover = b.acquire().then((state) => ((tookOver = true), state));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(tookOver).toBe(false);
      await writer.query('COMMIT');
      expect(await takeover).toMatchObject({ holder: 'b', generation: 2 });
    } finally {
      await writer.end();
    }
    await expect(fencedWrite(a.fence(1))).rejects.toBeInstanceOf(FencedError);
  });
});
