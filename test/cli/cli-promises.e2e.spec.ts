import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFacts, auditStory, raiseFlag } from '@aidwatch/audit/testing';
import { SampleIds } from '@aidwatch/domain/testing';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { runAidwatch } from '../support/aidwatch-cli';

const aidwatch = runAidwatch;

/**
 * What the README promises of `aidwatch`: exit 0 ok, 1 a finding, 2 bad usage or missing input, a clear
 * message naming an unknown id, `forget` idempotent, CSV refused by `verify` with the reason, a header on
 * `keys list`, no progress bar outside a terminal, `archive --older-than 0` keeping everything.
 */
describe('aidwatch keeps the promises of its README', () => {
  jest.setTimeout(120_000);
  let dataDir: string;
  let env: Record<string, string>;
  const headPosition = async () => {
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    try {
      return await store.headPosition();
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-promises-'));
    env = { DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
    const store = new EmbeddedEventStore({ path: path.join(dataDir, 'events.sqlite') });
    await appendFacts(store, auditStory());
    await raiseFlag(store);
    await store.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('verify --file of a missing file is exit 2 naming it, not a broken chain', async () => {
    const missing = path.join(dataDir, 'no-such-export.ndjson');
    const run = await aidwatch(['verify', '--file', missing], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${missing} does not exist`);
    expect(run.stdout).not.toMatch(/BROKEN/);
  });

  it('export of an unknown consignment or stream is exit 2 naming it, and appends no checkpoint', async () => {
    const before = await headPosition();
    const consignment = await aidwatch(['export', '--consignment', 'CSG-NOPE-0001'], env);
    expect(consignment.code).toBe(2);
    expect(consignment.stderr).toContain('no consignment CSG-NOPE-0001');
    expect(consignment.stdout).toBe('');
    const stream = await aidwatch(['export', '--stream', 'consignment-CSG-NOPE-0001'], env);
    expect(stream.code).toBe(2);
    expect(stream.stderr).toContain('no stream consignment-CSG-NOPE-0001');
    expect(await headPosition()).toBe(before);
  });

  it('a CSV export is refused by verify with the reason (exit 2); its NDJSON twin verifies', async () => {
    const csv = path.join(dataDir, 'trail.csv');
    const ndjson = path.join(dataDir, 'trail.ndjson');
    const scope = ['--consignment', SampleIds.consignmentId];
    const exported = await aidwatch(['export', ...scope, '--format', 'csv', '--out', csv], env);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/CSV is for reading/);
    const refused = await aidwatch(['verify', '--file', csv], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is a CSV export.* cannot be verified; export with --format ndjson/);
    expect(refused.stdout).not.toMatch(/broken link/);
    expect((await aidwatch(['export', ...scope, '--out', ndjson], env)).code).toBe(0);
    expect((await aidwatch(['verify', '--file', ndjson], env)).code).toBe(0);
  });

  it('forget is idempotent: exit 0 and says so, whether or not there was a key; a bad subject is 2', async () => {
    const first = await aidwatch(['forget', 'monitor:nobody', '--json'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ subject: 'monitor:nobody', forgotten: false });
    const text = await aidwatch(['forget', 'monitor:nobody'], env);
    expect(text).toMatchObject({ code: 0 });
    expect(text.stdout).toMatch(/nothing to forget for monitor:nobody.*idempotent/);
    expect((await aidwatch(['forget', 'nobody'], env)).code).toBe(2);
  });

  it('keys list has a header row; revoking an unknown key is exit 2 naming it', async () => {
    const empty = await aidwatch(['keys', 'list'], env);
    expect(empty).toMatchObject({ code: 0, stdout: '(no keys)\n' });
    const created = await aidwatch(
      ['keys', 'create', '--role', 'dashboard', '--tenant', 'WFP', '--label', 'ops desk', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const listed = await aidwatch(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['ID', 'ROLE', 'TENANT', 'STATUS', 'SOURCES', 'MONITOR', 'LABEL']);
    expect(row.split(/\s{2,}/)).toEqual([id, 'dashboard', 'WFP', 'active', '-', '-', 'ops desk']);
    expect(rest).toEqual([]);
    // Columns line up: each of the row's cells starts where its header does.
    expect(row.indexOf('dashboard')).toBe(header.indexOf('ROLE'));
    expect(row.indexOf('ops desk')).toBe(header.indexOf('LABEL'));

    const unknown = await aidwatch(['keys', 'revoke', 'feedfacefeedface'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no key feedfacefeedface in .*access\.sqlite; `aidwatch keys list` shows the ids/,
    );
    expect((await aidwatch(['keys', 'revoke', id], env)).code).toBe(0);
  });

  it('rebuild draws no progress bar into a pipe', async () => {
    const run = await aidwatch(['rebuild', '--no-switch'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/█|░|ETA/);
    expect(run.stdout).toMatch(/^rebuilt read-model-v\d+@/);
  });

  it('archive --older-than 0 keeps everything, as AIS_RETENTION_DAYS=0 does: exit 0, nothing moved', async () => {
    const before = await headPosition();
    const run = await aidwatch(['archive', '--older-than', '0', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ olderThanDays: 0, keepEverything: true, archived: 0 });
    expect(fs.existsSync(path.join(dataDir, 'archive'))).toBe(false);
    expect(await headPosition()).toBe(before);
  });
});
