import type { AidEvent } from '@aidwatch/domain';
import { maritimeConfig } from './maritime-config';
import { MaritimeDetector } from './maritime-detector';
import { hours, testPorts } from './testing/maritime-scenario';
import { CHECKPOINT_TIMES, openEpisodesDay } from './testing/open-episodes-day';
import checkpointed from './testing/checkpoints-with-stored-flags.json';

/**
 * Checkpoints of `openEpisodesDay` written when the rules kept their open flags whole in their state (an AIS
 * gap's `flag`, a loitering run's `flag`, an encounter pair's `flags`), cut at `CHECKPOINT_TIMES`, with the
 * flag ids that version raised and cleared over the whole day.
 */
interface StoredFlagCheckpoints {
  raised: string[];
  cleared: string[];
  checkpoints: Array<{ cut: number; snapshot: unknown }>;
}

const saved = checkpointed as StoredFlagCheckpoints;
const timeOf = (e: AidEvent): number => Date.parse((e.data as { at?: string }).at ?? e.time);

describe('maritime checkpoints whose rules kept their flags whole', () => {
  const events = openEpisodesDay();

  it('hold every open episode with its flag', () => {
    expect(saved.checkpoints.map((c) => c.cut)).toEqual(
      CHECKPOINT_TIMES.map((t) => events.findIndex((e) => timeOf(e) >= t)),
    );
    for (const { snapshot } of saved.checkpoints) {
      const rules = Object.values((snapshot as { entries: Record<string, { rules?: object }> }).entries)
        .filter((entry) => entry.rules !== undefined)
        .flatMap((entry) => Object.entries(entry.rules as Record<string, unknown>))
        .filter(([, state]) => JSON.stringify(state).includes('"flagId"'))
        .map(([rule]) => rule);
      expect(new Set(rules)).toEqual(new Set(['aisGap', 'loitering', 'encounter']));
    }
  });

  it('restore and go on to the flags of the uninterrupted day, ids included', () => {
    for (const { cut, snapshot } of saved.checkpoints) {
      const raised: string[] = [];
      const cleared: string[] = [];
      const record = (changes: { raised: Array<{ flagId: string }>; cleared: Array<{ flagId: string }> }) => {
        raised.push(...changes.raised.map((f) => f.flagId));
        cleared.push(...changes.cleared.map((f) => f.flagId));
      };
      const before = new MaritimeDetector(maritimeConfig(), testPorts);
      for (const e of events.slice(0, cut)) record(before.handle(e));
      const after = MaritimeDetector.restore(structuredClone(snapshot), maritimeConfig(), testPorts);
      for (const e of events.slice(cut)) record(after.handle(e));
      record(after.advanceWatermark(hours(36)));

      expect(raised).toEqual(saved.raised);
      expect(cleared).toEqual(saved.cleared);
    }
  });
});
