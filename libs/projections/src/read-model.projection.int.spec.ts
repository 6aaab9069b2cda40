import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { clearedOf } from '@aidwatch/detection';
import { storeEventId, streamOf, type AidEvent, type Flag } from '@aidwatch/domain';
import {
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  SampleIds,
} from '@aidwatch/domain/testing';
import type { StoredEvent } from '@aidwatch/event-store';
import { flagClearedEvent, flagRaisedEvent } from './flag-events';
import { ReadModelProjection } from './read-model.projection';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261206;

/** A story of three consignments of two exemptions with flags raised and cleared along it, in store order. */
function story(): StoredEvent[] {
  const events: Array<{ event: unknown; streamId: string }> = [];
  const add = (event: AidEvent) => events.push({ event, streamId: streamOf(event) });
  add(exemptionGranted());
  add(exemptionGranted({ id: 'grant-2', data: { exemptionId: 'EX-2', implementingOrg: 'UNICEF' } }));
  for (const [n, consignmentId] of ['CSG-A', 'CSG-B', 'CSG-C'].entries()) {
    const o = { subject: consignmentId, data: { consignmentId } };
    add(
      consignmentRegistered({
        ...o,
        id: `reg-${n}`,
        data: { consignmentId, ...(n === 2 && { exemptionId: 'EX-2' }) },
      }),
    );
    add(consignmentLoaded({ ...o, id: `load-${n}` }));
    const flag: Flag = {
      flagId: `flag-${n}`,
      fingerprint: `quantity-shrinkage|${consignmentId}`,
      rule: 'quantity-shrinkage',
      severity: 'high',
      subject: { kind: 'consignment', id: consignmentId },
      consignmentIds: [consignmentId],
      observed: { n },
      threshold: {},
      evidence: [],
      explanation: `Consignment ${consignmentId} shrank.`,
      raisedAt: '2024-03-08T10:00:00Z',
    };
    add(consignmentDischarged({ ...o, id: `discharge-${n}` }));
    events.push({ event: flagRaisedEvent(flag), streamId: `risk-consignment-${consignmentId}` });
    add(deliveryRecorded({ ...o, id: `delivery-${n}` }));
    if (n !== 1)
      events.push({
        event: flagClearedEvent(clearedOf(flag, '2024-03-09T00:00:00Z', 'resolved')),
        streamId: `risk-consignment-${consignmentId}`,
      });
  }
  return events.map(({ event, streamId }, i) => ({
    id: storeEventId(event as AidEvent),
    type: (event as AidEvent).type,
    streamId,
    revision: 0,
    position: String(i + 1),
    data: event,
    metadata: {},
    recordedAt: '2024-04-01T00:00:00.000Z',
  }));
}

/** The whole snapshot with its keyed lists in key order (the order of keyed maps carries no meaning). */
function comparable(p: ReadModelProjection): unknown {
  const whole = JSON.parse(JSON.stringify(p.snapshot())) as {
    consignments: Array<{ consignmentId: string }>;
    exemptions: Array<{ exemptionId: string }>;
  };
  whole.consignments.sort((a, b) => a.consignmentId.localeCompare(b.consignmentId));
  whole.exemptions.sort((a, b) => a.exemptionId.localeCompare(b.exemptionId));
  return whole;
}

describe('ReadModelProjection checkpoints in parts (SQLite checkpoint store)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-model-parts-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('wherever the checkpoints fall, restoring the last one gives the read model folded (flags, cursors, tenants)', async () => {
    const events = story();
    expect(SampleIds.exemptionId).not.toBe('EX-2');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: events.length }), { minLength: 1, maxLength: 5 }),
        async (cuts) => {
          const store = new SqliteCheckpointStore(path.join(dir, `checkpoints-${run++}.sqlite`));
          try {
            const live = new ReadModelProjection();
            let done = 0;
            const written: number[] = [];
            for (const cut of [...cuts].sort((a, b) => a - b)) {
              for (; done < cut; done++) live.apply(events[done]);
              const parts = live.checkpointParts(written.length === 0);
              const generation = await store.beginParts(live.name);
              for (let i = 0; i < parts.keys.length; i += 2)
                await store.writePart(
                  live.name,
                  generation,
                  parts.keys.slice(i, i + 2).map((key): [string, unknown] => [key, parts.entry(key)]),
                );
              await store.commitParts(
                live.name,
                generation,
                String(cut),
                parts.head,
                new Date(),
                written.length === 0,
              );
              written.push(parts.keys.length);
            }
            const saved = await store.load(live.name);
            expect(saved?.incremental).toBe(true);
            const restored = new ReadModelProjection();
            restored.restore(saved!.snapshot);
            expect(comparable(restored)).toEqual(comparable(live));
            expect(restored.flags.query({ limit: 1000 })).toEqual(live.flags.query({ limit: 1000 }));
            for (const id of ['CSG-A', 'CSG-B', 'CSG-C']) {
              expect(restored.consignment(id)).toEqual(live.consignment(id));
              expect(restored.tenants.tenantOfConsignment(id)).toBe(live.tenants.tenantOfConsignment(id));
            }
            // After the first, a checkpoint writes only what changed since the one before.
            const subjects = 3 + 2 + live.flags.size;
            for (const n of written.slice(1)) expect(n).toBeLessThan(subjects);
            // Folding on from the restored model goes on where the live one would.
            for (; done < events.length; done++) {
              live.apply(events[done]);
              restored.apply(events[done]);
            }
            expect(comparable(restored)).toEqual(comparable(live));
          } finally {
            await store.close();
          }
        },
      ),
      { seed, numRuns: 40 },
    );
    // Each run opens a checkpoint file, whose writer thread starts under the test transform (about 0.5 s a run
    // alone, past 30 s in all on a loaded two-CPU machine).
  }, 180_000);

  it('restores a whole snapshot written before parts existed', () => {
    const live = new ReadModelProjection();
    for (const e of story()) live.apply(e);
    const restored = new ReadModelProjection();
    restored.restore(JSON.parse(JSON.stringify(live.snapshot())));
    expect(comparable(restored)).toEqual(comparable(live));
  });
});
