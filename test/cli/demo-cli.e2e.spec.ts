import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { storeEventId, streamOf, type AidEvent } from '@aidwatch/domain';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { runAidwatch } from '../support/aidwatch-cli';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-demo-'));

/** Rows of the embedded store's event table, and how many of them are flag events. */
function countsOf(dataDir: string): { events: number; flags: number } {
  const db = new Database(path.join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    const events = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    const flags = db
      .prepare("SELECT count(*) FROM events WHERE type LIKE 'aidwatch.flag.%'")
      .pluck()
      .get() as number;
    return { events, flags };
  } finally {
    db.close();
  }
}

describe('aidwatch demo', () => {
  jest.setTimeout(120_000);
  const demo = demoScenario();
  const dirs: string[] = [];
  const fresh = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('loads the scenario and raises its flags; a second run appends nothing and says so; the log verifies', async () => {
    const env = { DATA_DIR: fresh() };
    const first = await runAidwatch(['demo', '--json'], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ events: demo.length, appended: demo.length, alreadyStored: 0 });
    expect(report.flagEvents).toBeGreaterThan(20);
    const loaded = countsOf(env.DATA_DIR);
    expect(loaded).toEqual({ events: demo.length + report.flagEvents, flags: report.flagEvents });

    const again = await runAidwatch(['demo'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /already loaded: nothing appended \(\d+ events already stored\); detection wrote no new flag events/,
    );
    expect(countsOf(env.DATA_DIR)).toEqual(loaded);

    const verified = await runAidwatch(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, events: loaded.events });
  });

  it('--no-detect loads the events only, as the services would have them', async () => {
    const env = { DATA_DIR: fresh() };
    const result = await runAidwatch(['demo', '--no-detect', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      events: demo.length,
      appended: demo.length,
      alreadyStored: 0,
      flagEvents: null,
    });
    expect(countsOf(env.DATA_DIR)).toEqual({ events: demo.length, flags: 0 });
    // Personal data is sealed as the services seal it: no monitor id in the log.
    const db = new Database(path.join(env.DATA_DIR, 'events.sqlite'), { readonly: true });
    const text = (db.prepare('SELECT data FROM events').pluck().all() as string[]).join('\n');
    db.close();
    expect(text).not.toMatch(/"monitorId":"MON-/);
    expect(text).toMatch(/"monitorId":"pd1\./);
  });

  it('a store holding a demo event with other content is a finding (exit 1); nothing of the batch is written', async () => {
    const dataDir = fresh();
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    const [first] = demo as AidEvent[];
    const changed = { ...first, data: { ...first.data, changed: true } } as unknown as AidEvent;
    await store.append(streamOf(changed), [{ id: storeEventId(changed), type: changed.type, data: changed }]);
    await store.close();

    const result = await runAidwatch(['demo', '--json'], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ appended: 0, flagEvents: null, alreadyStored: null });
    expect(JSON.parse(result.stdout).conflict).toMatch(/already stored with different content/);
    expect(countsOf(dataDir).events).toBe(1);
  });

  it('bad usage exits 2, as for the other commands', async () => {
    expect((await runAidwatch(['demo'], { EVENT_STORE: 'memory' })).code).toBe(2);
    expect((await runAidwatch(['demo', '--no-such-option'], { DATA_DIR: fresh() })).code).toBe(2);
  });

  it('is listed by aidwatch --help', async () => {
    const help = await runAidwatch(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}demo \[options\]/m);
  });
});
