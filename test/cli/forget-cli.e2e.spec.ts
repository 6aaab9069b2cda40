import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AlertBook } from '@aidwatch/alerts';
import { FORGOTTEN, rebuildFromZero, serviceEventStore } from '@aidwatch/audit';
import { loadConfig } from '@aidwatch/config';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import type { StoredEvent } from '@aidwatch/event-store';
import { ReadModelProjection } from '@aidwatch/projections';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { runAidwatch } from '../support/aidwatch-cli';

/** The monitor turned away at Hoeryong in the demo (CSG-2026-0202): the subject who asks to be forgotten. */
const deniedConsignment = 'CSG-2026-0202';
const demo = demoScenario() as AidEvent[];
const subject = demo.find(
  (e) => e.type === EventTypes.AccessDenied && e.data.consignmentId === deniedConsignment,
)!.data as { monitorId: string };
const monitorId = subject.monitorId;
const otherMonitors = [
  ...new Set(
    demo.flatMap((e) =>
      e.type === EventTypes.VerificationReported && e.data.monitorId !== monitorId ? [e.data.monitorId] : [],
    ),
  ),
];

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe(`aidwatch forget monitor:${monitorId} on the demo`, () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  let env: Record<string, string>;

  /** Every event of the store as the services read it (personal data opened, current versions). */
  async function readAsServices(): Promise<{ events: StoredEvent[]; readModel: ReadModelProjection }> {
    const store = serviceEventStore(loadConfig(env));
    try {
      const events = await store.readAll();
      const readModel = new ReadModelProjection('check');
      await rebuildFromZero(store, readModel, { to: await store.headPosition() });
      return { events, readModel };
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-forget-demo-'));
    env = { DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
    expect((await runAidwatch(['demo'], env)).code).toBe(0);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('before: the services read the monitor in its visits, and no flag names it', async () => {
    const { events, readModel } = await readAsServices();
    expect(JSON.stringify(events.filter((e) => e.streamId.startsWith('consignment-')))).toContain(monitorId);
    const flags = events.filter((e) => e.streamId.startsWith('risk-'));
    expect(flags.length).toBeGreaterThan(20);
    expect(JSON.stringify(flags)).not.toContain(monitorId);
    expect(readModel.consignment(deniedConsignment)?.flags.map((f) => f.rule)).toContain('access-denied');
  });

  it('after: no stream, flag, alert or export shows the id in plain text, and the log still verifies', async () => {
    const forgot = await runAidwatch(['forget', `monitor:${monitorId}`, '--json'], env);
    expect(forgot.code).toBe(0);
    expect(JSON.parse(forgot.stdout)).toEqual({ subject: `monitor:${monitorId}`, forgotten: true });

    const verified = await runAidwatch(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, broken: 0 });

    // No file under DATA_DIR holds the id in clear: the log seals it, and projection snapshots that held it
    // were dropped (and their pages wiped), to be rebuilt from the log.
    const holding = filesUnder(dataDir).filter((file) => fs.readFileSync(file).includes(monitorId));
    expect(holding).toEqual([]);

    // Exports: everything recorded, and the consignment's whole trail; both still verify offline.
    for (const [name, scope] of [
      ['all.ndjson', ['--from', '2000-01-01T00:00:00Z']],
      ['consignment.ndjson', ['--consignment', deniedConsignment]],
      ['all.csv', ['--from', '2000-01-01T00:00:00Z', '--format', 'csv']],
    ] as const) {
      const file = path.join(dataDir, name);
      expect((await runAidwatch(['export', ...scope, '--out', file], env)).code).toBe(0);
      const text = fs.readFileSync(file, 'utf8');
      expect(text.length).toBeGreaterThan(10_000);
      expect(text).not.toContain(monitorId);
      if (name.endsWith('.ndjson')) expect((await runAidwatch(['verify', '--file', file], env)).code).toBe(0);
    }

    // Every stream as the services read it, the flags and consignments of the read model, the alerts.
    const { events, readModel } = await readAsServices();
    expect(JSON.stringify(events)).not.toContain(monitorId);
    expect(JSON.stringify(events)).toContain(`"monitorId":"${FORGOTTEN}"`);
    for (const other of otherMonitors) expect(JSON.stringify(events)).toContain(other);
    const flags = readModel.flags.query({ limit: 10_000 }).items;
    expect(flags.length).toBeGreaterThan(20);
    expect(JSON.stringify(flags)).not.toContain(monitorId);
    const consignments = readModel.consignmentIds().map((id) => readModel.consignment(id));
    expect(JSON.stringify(consignments)).not.toContain(monitorId);
    const book = new AlertBook();
    for (const e of events) book.apply(e);
    expect([...book.all()].length).toBeGreaterThan(10);
    expect(JSON.stringify([...book.all()])).not.toContain(monitorId);
  });

  it("after: the demo loads again as already loaded (its forgotten monitor's visits count as repeats)", async () => {
    const again = await runAidwatch(['demo', '--no-detect', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ appended: 0 });
    expect((await runAidwatch(['verify'], env)).code).toBe(0);
  });
});
