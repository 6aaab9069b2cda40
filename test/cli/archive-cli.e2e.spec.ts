import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFacts, auditStory, raiseFlag } from '@aidwatch/audit/testing';
import { vesselPosition, vesselStatic } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { SqliteCheckpointStore, DETECTION_PROJECTION } from '@aidwatch/projections';
import { runAidwatch } from '../support/aidwatch-cli';

const aidwatch = runAidwatch;

describe('aidwatch archive', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;
  const positions = 30;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-archive-cli-'));
    env = { DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
    // Recorded 40 days ago: a consignment's story, a vessel's static data and positions, a flag.
    const store = new EmbeddedEventStore({
      path: path.join(dataDir, 'events.sqlite'),
      clock: () => new Date(Date.now() - 40 * 86_400_000),
    });
    await appendFacts(store, auditStory());
    await appendFacts(store, [
      vesselStatic({ id: 'static-1' }),
      ...Array.from({ length: positions }, (_, i) =>
        vesselPosition({ id: `pos-${i}`, data: { at: new Date(Date.UTC(2024, 2, 7, 0, i)).toISOString() } }),
      ),
    ]);
    await raiseFlag(store, { evidence: ['pos-3'] });
    const checkpoints = new SqliteCheckpointStore(path.join(dataDir, 'projections.sqlite'));
    await checkpoints.save(DETECTION_PROJECTION, (await store.headPosition()) as string, {}, new Date());
    await checkpoints.close();
    await store.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('--dry-run --json counts what would go and changes nothing; a run archives it; verify reads it back', async () => {
    const dry = await aidwatch(['archive', '--older-than', '30', '--dry-run', '--json'], env);
    expect(dry).toMatchObject({ code: 0 });
    const planned = JSON.parse(dry.stdout);
    // The story's two positions and the 30 new ones share a stream: one is its newest, one a flag cites.
    expect(planned).toMatchObject({
      dryRun: true,
      archived: positions,
      files: [],
      kept: { cited: 1, newest: 1 },
    });
    expect(fs.existsSync(path.join(dataDir, 'archive'))).toBe(false);

    const run = await aidwatch(['archive', '--older-than', '30', '--json'], env);
    expect(run).toMatchObject({ code: 0 });
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ dryRun: false, archived: positions, files: [{ events: positions }] });

    const verified = await aidwatch(['verify', '--json'], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      ok: true,
      archived: 0,
      fromArchives: positions,
      archiveFiles: { read: 1, missing: [] },
    });
    const file = path.join(dataDir, 'archive', report.files[0].file);
    const offline = await aidwatch(['verify', '--file', file], env);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toMatch(/intact/);

    fs.rmSync(file);
    // The chains still hold (the record names the gap), but the archived events can no longer be checked: exit 1.
    const withoutFile = await aidwatch(['verify', '--json'], env);
    expect(withoutFile.code).toBe(1);
    expect(JSON.parse(withoutFile.stdout)).toMatchObject({
      ok: true,
      archived: positions,
      archiveFiles: { missing: [report.files[0].file] },
    });
  });

  it('nothing to do is no error: no retention set, or --older-than 0, exits 0 and archives nothing', async () => {
    // AIS_RETENTION_DAYS is 0 here: keep everything.
    for (const args of [
      ['archive'],
      ['archive', '--dry-run'],
      ['archive', '--older-than', '0', '--dry-run'],
    ]) {
      const run = await aidwatch([...args, '--json'], env);
      expect({ args, code: run.code }).toEqual({ args, code: 0 });
      expect(JSON.parse(run.stdout)).toMatchObject({ archived: 0, keepEverything: true });
    }
    const plain = await aidwatch(['archive', '--dry-run'], env);
    expect(plain.stdout).toMatch(/AIS_RETENTION_DAYS is 0 .*nothing archived/);
  });

  it('bad usage exits 2', async () => {
    expect((await aidwatch(['archive', '--older-than', 'soon'], env)).code).toBe(2);
    expect((await aidwatch(['archive', '--older-than', '99999999999999999999', '--dry-run'], env)).code).toBe(
      2,
    );
    expect((await aidwatch(['archive', '--older-than', '1'], { ...env, EVENT_STORE: 'memory' })).code).toBe(
      2,
    );
  });
});
