import { EmbeddedEventStore } from '@aidwatch/event-store';
import { ReadModelProjection } from '@aidwatch/projections';
import { SampleIds } from '@aidwatch/domain/testing';
import {
  catchUp,
  compareReadModels,
  rawReadSpeed,
  rebuildFromZero,
  type RebuildProgress,
} from './read-model-rebuild';
import { appendFacts, auditStory, raiseFlag } from './testing/audit-story';

describe('rebuilding the read model from position zero', () => {
  let store: EmbeddedEventStore;
  beforeEach(async () => {
    store = EmbeddedEventStore.temporary();
    await appendFacts(store, auditStory());
    await raiseFlag(store);
  });
  afterEach(() => store.close());

  it('a rebuilt version equals the live one fed event by event, and reports its progress', async () => {
    const live = new ReadModelProjection();
    const head = await store.headPosition();
    for (const event of await store.readAll()) live.apply(event);
    const progress: RebuildProgress[] = [];
    const green = new ReadModelProjection('green');
    const result = await rebuildFromZero(store, green, {
      to: head,
      every: 2,
      onProgress: (p) => progress.push(p),
    });

    expect(result).toMatchObject({ events: 7, position: head }); // vessel positions are not read
    expect(progress.at(-1)).toMatchObject({ events: 7, ratio: 1 });
    expect(progress.map((p) => p.events)).toEqual([2, 4, 6, 7]);
    expect(compareReadModels(live, green)).toEqual([]);
    expect(green.consignment(SampleIds.consignmentId)).toMatchObject({ status: 'verified', risk: 'high' });
    expect((await rawReadSpeed(store, green, head)).events).toBe(7);
  });

  it('names what differs: a flag the live one never saw, and the consignment whose risk it changes', async () => {
    const head = await store.headPosition();
    const stale = new ReadModelProjection();
    await catchUp(store, stale, null, String(Number(head) - 1)); // missed the last event: the flag
    const green = new ReadModelProjection('green');
    await rebuildFromZero(store, green, { to: head });
    const differences = compareReadModels(stale, green);
    expect(differences.map((d) => d.subject)).toEqual([
      `consignment ${SampleIds.consignmentId}`,
      'flag flag-1',
    ]);
    expect(differences[0]).toMatchObject({ live: { risk: 'none' }, rebuilt: { risk: 'high' } });
  });
});
