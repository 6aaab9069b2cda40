import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultDetectionConfig } from '@aidwatch/detection';
import type { AidEvent } from '@aidwatch/domain';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { defaultPorts } from '@aidwatch/maritime';
import {
  DetectionProjection,
  ProjectionRunner,
  SqliteCheckpointStore,
  type CheckpointWriter,
} from '@aidwatch/projections';
import { demoScenario } from '../../apps/aidwatch/src/demo/demo-scenario';
import { appendInOrder } from '../support/engine-feed';

/** The detection state as JSON: every subject's entry by key (`maritime/flags:<mmsi>`, …). */
function entriesOf(projection: DetectionProjection): Record<string, unknown> {
  return (JSON.parse(JSON.stringify(projection.snapshot())) as { entries: Record<string, unknown> }).entries;
}

let failed = 0;

/** A checkpoint file whose first `failures` part writes fail (a disk error, a lost connection). */
function failingParts(file: string, failures: number): SqliteCheckpointStore {
  const inner = new SqliteCheckpointStore(file);
  let left = failures;
  const counted = () => (failed += 1);
  return new Proxy(inner, {
    get: (target, property, receiver) => {
      if (property === 'writePart' && left > 0)
        return () => {
          left -= 1;
          counted();
          return Promise.reject(new Error('disk I/O error (test)'));
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A checkpoint lease this detector takes over at its first claim (its holder died), then keeps. */
function takingOver(): CheckpointWriter {
  let claims = 0;
  return { claim: () => Promise.resolve((claims += 1) === 1 ? 'new' : 'same') };
}

/**
 * A start of the detection runner whose checkpoint is not in parts yet (written whole), a write after a
 * failed one, or the first write of a detector that took the checkpoint's lease over writes every subject (in parts) and drops the rows before it: a subject that write leaves out
 * is gone at the next start. Here the demo is fed in slices with a stop and a start between them, on a real
 * store and checkpoint file, and the state the last start restores is compared with the state of a runner
 * that never stopped.
 */
describe.each([
  { name: 'the first checkpoint written whole', whole: true, failures: 0 },
  { name: 'a part write failing once', whole: false, failures: 1 },
  { name: 'the checkpoint lease taken over', whole: false, failures: 0, takeover: true },
])(
  'detection restarted between slices of the demo keeps every subject of its state: $name',
  ({ whole, failures, takeover }) => {
    jest.setTimeout(120_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-restarts-'));
    const store = EmbeddedEventStore.temporary();
    const checkpointFile = path.join(dir, 'checkpoints.sqlite');
    const options = { checkpointEveryEvents: 10_000, checkpointEveryMs: 600_000 };

    afterAll(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('restores, after three restarts, the state of a runner that never stopped: open flags included', async () => {
      const events = demoScenario() as AidEvent[];
      // The second slice is short: most open flags are not touched in it.
      const slices = [0.5, 0.52, 0.7, 1].map((share) => Math.round(events.length * share));
      let from = 0;
      for (const [i, to] of slices.entries()) {
        await appendInOrder(store, events.slice(from, to));
        from = to;
        const checkpoints =
          i === 1 ? failingParts(checkpointFile, failures) : new SqliteCheckpointStore(checkpointFile);
        const projection = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts());
        const runner = new ProjectionRunner(store, checkpoints, projection, {
          ...options,
          // With failing writes, one comes (and fails) during the slice; the stop's write follows it.
          ...(failures > 0 && i === 1 && { checkpointEveryEvents: 10 }),
          ...(takeover && i === 1 && { checkpointWriter: takingOver() }),
          checkpointInParts: !(whole && i === 0),
          onError: () => undefined,
        });
        runner.start();
        await runner.caughtUp();
        await runner.stop();
        await checkpoints.close();
      }
      if (failures > 0) expect(failed).toBe(failures);

      const restarted = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts());
      const lastCheckpoints = new SqliteCheckpointStore(checkpointFile);
      const loaded = await lastCheckpoints.load(restarted.name);
      await lastCheckpoints.close();
      expect(loaded).toBeDefined();
      restarted.restore(loaded!.snapshot);

      const uninterrupted = new DetectionProjection(store, defaultDetectionConfig(), defaultPorts());
      const memory = new SqliteCheckpointStore(':memory:');
      const runner = new ProjectionRunner(store, memory, uninterrupted, options);
      runner.start();
      await runner.caughtUp();
      await runner.stop();
      await memory.close();

      const expected = entriesOf(uninterrupted);
      expect(Object.keys(expected).filter((k) => k.includes('flags:')).length).toBeGreaterThanOrEqual(3);
      expect(Object.keys(entriesOf(restarted)).sort()).toEqual(Object.keys(expected).sort());
      expect(entriesOf(restarted)).toEqual(expected);
    });
  },
);
