import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Authenticator, PostgresApiKeyStore, SqliteApiKeyStore } from '@aidwatch/access';
import {
  PersonalDataCipher,
  ProtectedEventStore,
  serviceEventStore,
  SqliteSubjectKeyStore,
} from '@aidwatch/audit';
import { appendFacts, auditStory } from '@aidwatch/audit/testing';
import { loadConfig } from '@aidwatch/config';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '@aidwatch/event-store/testing';
import { Client } from 'pg';
import { runAidwatch } from '../support/aidwatch-cli';

describeWithPostgres('aidwatch on EVENT_STORE=postgres', () => {
  jest.setTimeout(180_000);
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('cli');
    // A data directory of its own, left empty: everything the commands need is in the database.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-pg-cli-'));
    env = { EVENT_STORE: 'postgres', DATABASE_URL: database.url, DATA_DIR: dataDir };
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('demo, verify, rebuild --verify, forget and export work on the database as on the embedded store', async () => {
    const demo = await runAidwatch(['demo', '--json'], env);
    expect(demo.code).toBe(0);
    const again = await runAidwatch(['demo', '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ appended: 0 });

    const verified = await runAidwatch(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, broken: 0 });

    const rebuilt = await runAidwatch(['rebuild', 'read-model', '--no-progress', '--json'], env);
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ switched: true });
    const compared = await runAidwatch(
      ['rebuild', 'read-model', '--verify', '--no-switch', '--no-progress'],
      env,
    );
    expect(compared.stdout).toContain('verified: the rebuilt consignments and flags equal the live ones');

    // The rebuilt read model's checkpoint holds the monitor in clear (what the services read); forget drops
    // every checkpoint holding it, and a second forget has nothing left to destroy.
    const holding = async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT (SELECT count(*) FROM aidwatch_checkpoints WHERE snapshot LIKE '%MON-KWP-001%')
                + (SELECT count(*) FROM aidwatch_checkpoint_slots WHERE value LIKE '%MON-KWP-001%') AS n`,
        );
        return Number(rows[0].n);
      } finally {
        await client.end();
      }
    };
    expect(await holding()).toBeGreaterThan(0);
    const forgot = await runAidwatch(['forget', 'monitor:MON-KWP-001', '--json'], env);
    const answer = JSON.parse(forgot.stdout) as { forgotten: boolean; rebuilt?: string[] };
    expect(answer.forgotten).toBe(true);
    expect(answer.rebuilt?.length).toBeGreaterThan(0);
    expect(await holding()).toBe(0);
    const twice = await runAidwatch(['forget', 'monitor:MON-KWP-001', '--json'], env);
    expect(twice.code).toBe(0);
    expect(JSON.parse(twice.stdout)).toEqual({ subject: 'monitor:MON-KWP-001', forgotten: false });
    expect((await runAidwatch(['verify'], env)).code).toBe(0);

    const file = path.join(dataDir, 'all.ndjson');
    const exported = await runAidwatch(
      ['export', '--from', '2020-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--out', file],
      env,
    );
    expect(exported.code).toBe(0);
    expect((await runAidwatch(['verify', '--file', file, '--json'], env)).code).toBe(0);
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))).toEqual([]);
  });

  it('keys create, list and revoke work on the database, which the services read', async () => {
    const created = await runAidwatch(['keys', 'create', '--role', 'admin', '--label', 'ops', '--json'], env);
    expect(created.code).toBe(0);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    const keys = new PostgresApiKeyStore({ connectionString: database.url });
    try {
      await expect(new Authenticator(keys).authenticate(`Bearer ${key}`)).resolves.toMatchObject({
        role: 'admin',
      });
      const listed = JSON.parse((await runAidwatch(['keys', 'list', '--json'], env)).stdout) as {
        items: Array<{ id: string; label?: string }>;
      };
      expect(listed.items).toContainEqual(expect.objectContaining({ id, label: 'ops' }));
      expect((await runAidwatch(['keys', 'revoke', id], env)).code).toBe(0);
      await expect(new Authenticator(keys).authenticate(`Bearer ${key}`)).rejects.toThrow(/revoked/);
      const unknown = await runAidwatch(['keys', 'revoke', 'feedfacefeedface'], env);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain('no key feedfacefeedface in the PostgreSQL database');
    } finally {
      await keys.close();
    }
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))).toEqual([]);
  });
});

describeWithPostgres('aidwatch migrate --to postgres', () => {
  jest.setTimeout(120_000);

  it('copies an embedded store and its subject keys, chains intact, and a second run copies nothing again', async () => {
    const database = await createTestDatabase('migrate');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-migrate-'));
    try {
      const embedded = new ProtectedEventStore(
        new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') }),
        new PersonalDataCipher(new SqliteSubjectKeyStore(path.join(dataDir, 'subject-keys.sqlite'))),
      );
      await appendFacts(embedded, auditStory());
      const stored = await embedded.readAll();
      await embedded.close();
      const keyFile = new SqliteApiKeyStore(path.join(dataDir, 'access.sqlite'));
      const kept = await keyFile.create({ role: 'dashboard', tenant: 'WFP', label: 'ops desk' });
      const revoked = await keyFile.create({ role: 'operator' });
      await keyFile.revoke(revoked.record.id);
      keyFile.close();
      const env = { DATA_DIR: dataDir, DATABASE_URL: database.url };

      const first = await runAidwatch(['migrate', '--to', 'postgres', '--no-progress', '--json'], env);
      const again = await runAidwatch(['migrate', '--to', 'postgres', '--no-progress', '--json'], env);

      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({
        copied: stored.length,
        appended: stored.length,
        verification: { ok: true },
      });
      expect(JSON.parse(first.stdout).subjectKeys).toBeGreaterThan(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ apiKeys: 2, apiKeysWritten: 2 });
      expect(JSON.parse(again.stdout)).toMatchObject({
        copied: stored.length,
        appended: 0,
        apiKeys: 2,
        apiKeysWritten: 0,
      });
      // The keys work against the database as they did against the file; the revoked one stays revoked.
      const keys = new PostgresApiKeyStore({ connectionString: database.url });
      try {
        const auth = new Authenticator(keys);
        await expect(auth.authenticate(`Bearer ${kept.key}`)).resolves.toMatchObject({
          role: 'dashboard',
          tenant: 'WFP',
        });
        await expect(auth.authenticate(`Bearer ${revoked.key}`)).rejects.toThrow(/revoked/);
        expect((await keys.list()).find((k) => k.id === kept.record.id)).toEqual(kept.record);
      } finally {
        await keys.close();
      }
      // The services on PostgreSQL read the copy as the embedded store's did: personal data opened, same order.
      const copy = serviceEventStore(loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: database.url }));
      try {
        const read = await copy.readAll();
        expect(read.map((e) => [e.id, e.streamId, e.revision, e.data])).toEqual(
          stored.map((e) => [e.id, e.streamId, e.revision, e.data]),
        );
      } finally {
        await copy.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
