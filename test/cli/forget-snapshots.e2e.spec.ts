import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventTypes, type AidEvent } from '@aidwatch/domain';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { runAidwatch } from '../support/aidwatch-cli';
import { eventually, startTestSystem } from '../support/aidwatch-process';

/** The monitor turned away at Hoeryong in the demo: the data subject who asks to be forgotten. */
const deniedConsignment = 'CSG-2026-0202';
const monitorId = (
  (demoScenario() as AidEvent[]).find(
    (e) => e.type === EventTypes.AccessDenied && e.data.consignmentId === deniedConsignment,
  )!.data as { monitorId: string }
).monitorId;

function filesHolding(dir: string, value: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesHolding(full, value);
    return fs.readFileSync(full).includes(value) ? [full] : [];
  });
}

describe('aidwatch forget after the services wrote their snapshots', () => {
  jest.setTimeout(180_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-forget-snapshots-'));
  const env = { DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const consignmentAsOperator = async () => {
    const system = await startTestSystem({ ...env, CHECKPOINT_EVERY_MS: '200' });
    try {
      const body = await eventually(async () => {
        const res = await system.fetch(`${system.url}/consignments/${deniedConsignment}`);
        const text = await res.text();
        return res.ok && text.includes('access-denied') ? text : undefined;
      }, 120_000);
      await new Promise((r) => setTimeout(r, 1000)); // at least one checkpoint after the fold
      return body;
    } finally {
      await system.stop();
    }
  };

  it('leaves no file under DATA_DIR holding the subject in clear, and the services rebuild without it', async () => {
    expect((await runAidwatch(['demo'], env)).code).toBe(0);
    // The monitor's own API key names it too.
    const key = await runAidwatch(
      ['keys', 'create', '--role', 'monitor', '--tenant', 'KWP', '--monitor-id', monitorId, '--json'],
      env,
    );
    expect(key.code).toBe(0);
    await consignmentAsOperator();
    // The precondition of the issue: the projection snapshots hold the monitor id in clear.
    expect(filesHolding(dataDir, monitorId).map((f) => path.basename(f))).toContain('projections.sqlite');

    const forgot = await runAidwatch(['forget', `monitor:${monitorId}`, '--json'], env);
    expect(forgot.code).toBe(0);
    const answer = JSON.parse(forgot.stdout) as {
      forgotten: boolean;
      rebuilt: string[];
      keysRevoked: number;
    };
    expect(answer.forgotten).toBe(true);
    expect(answer.keysRevoked).toBe(1);
    expect(answer.rebuilt.length).toBeGreaterThan(0);
    expect(filesHolding(dataDir, monitorId)).toEqual([]);

    const after = await consignmentAsOperator();
    expect(after).not.toContain(monitorId);
    expect(filesHolding(dataDir, monitorId)).toEqual([]);
    expect((await runAidwatch(['verify'], env)).code).toBe(0);
  });
});
