import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { SampleIds } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { appendFacts, auditStory, raiseFlag } from '@aidwatch/audit/testing';
import { PersonalDataCipher, ProtectedEventStore, SqliteSubjectKeyStore } from '@aidwatch/audit';
import { runAidwatch } from '../support/aidwatch-cli';

const aidwatch = runAidwatch;

describe('aidwatch verify and export against a deployment store', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-cli-'));
    env = { DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    await appendFacts(store, auditStory());
    await raiseFlag(store);
    await store.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('exports a consignment, verifies the file offline, and fails it after one changed byte', async () => {
    const file = path.join(dataDir, 'x.ndjson');
    const exported = await aidwatch(['export', '--consignment', SampleIds.consignmentId, '--out', file], env);
    expect(exported).toMatchObject({ code: 0 });
    const ok = await aidwatch(['verify', '--file', file, '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checkpoints: 1, firstBroken: null });

    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf('"quantity":4000') + '"quantity":'.length;
    fs.writeFileSync(file, text.slice(0, at) + '5' + text.slice(at + 1));
    const broken = await aidwatch(['verify', '--file', file], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN — first broken link: line \d+: consignment-CSG-2024-0117@0/);
  });

  it('verifies the store, then names the row edited in the SQLite file', async () => {
    expect((await aidwatch(['verify'], env)).code).toBe(0);
    const db = new Database(path.join(dataDir, 'events.sqlite'));
    const row = db
      .prepare("SELECT id FROM events WHERE type = 'aidwatch.verification.reported.v1'")
      .get() as { id: string };
    db.prepare("UPDATE events SET data = replace(data, 'MON-017', 'MON-018') WHERE id = ?").run(row.id);
    db.close();
    const result = await aidwatch(['verify', '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).firstBroken).toMatchObject({ eventId: row.id, revision: 4 });
  });

  it('bad usage exits 2', async () => {
    expect((await aidwatch(['export', '--stream', 'a', '--consignment', 'b'], env)).code).toBe(2);
    expect((await aidwatch(['export', '--from', 'yesterday'], env)).code).toBe(2);
    expect((await aidwatch(['export', '--from', '2026-02-30T00:00:00Z'], env)).code).toBe(2);
    const backwards = ['export', '--from', '2026-03-01T00:00:00Z', '--to', '2026-02-01T00:00:00Z'];
    expect((await aidwatch(backwards, env)).code).toBe(2);
    expect((await aidwatch(['verify', '--no-such-option'], env)).code).toBe(2);
  });

  it('refuses a data directory without a store (exit 2) and creates nothing there', async () => {
    const missing = path.join(dataDir, 'no-such-dir');
    for (const args of [['verify'], ['export', '--stream', 'a'], ['rebuild', '--no-progress']]) {
      const run = await aidwatch([...args, '--data-dir', missing], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/no event store at/);
    }
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('creates the files of a store for their owner only', async () => {
    for (const f of fs.readdirSync(dataDir).filter((name) => name.includes('.sqlite')))
      expect((fs.statSync(path.join(dataDir, f)).mode & 0o777).toString(8)).toBe('600');
  });
});

describe('aidwatch forget', () => {
  jest.setTimeout(120_000);
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-forget-'));
    const keys = new SqliteSubjectKeyStore(path.join(dataDir, 'subject-keys.sqlite'));
    const store = new ProtectedEventStore(
      new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') }),
      new PersonalDataCipher(keys),
    );
    await appendFacts(store, auditStory());
    await store.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("destroys the monitor's key; the log still verifies; forgetting again is a success, bad subjects exit 2", async () => {
    const env = { DATA_DIR: dataDir };
    const forgot = await aidwatch(['forget', `monitor:${SampleIds.monitorId}`, '--json'], env);
    expect(forgot.code).toBe(0);
    expect(JSON.parse(forgot.stdout)).toEqual({ subject: `monitor:${SampleIds.monitorId}`, forgotten: true });
    const keys = new Database(path.join(dataDir, 'subject-keys.sqlite'), { readonly: true });
    expect(keys.prepare('SELECT count(*) FROM subject_keys WHERE key IS NULL').pluck().get()).toBe(1);
    keys.close();
    expect((await aidwatch(['verify'], env)).code).toBe(0);
    expect((await aidwatch(['forget', 'monitor:nobody'], env)).code).toBe(0); // idempotent
    expect((await aidwatch(['forget', 'MON-017'], env)).code).toBe(2);
  });
});
