import { FlagSink, type ConsignmentLinker, type VesselFlagDraft } from './flag-sink';
import { OpenVesselFlags } from './open-vessel-flags';

/** A linker whose answer the test sets: the consignments on board any vessel at any time. */
class Aboard implements ConsignmentLinker {
  ids: string[] = [];
  consignmentsOnBoard(): string[] {
    return this.ids;
  }
}

const draft: VesselFlagDraft = {
  rule: 'loitering',
  key: 'episode-1',
  severity: 'medium',
  mmsi: '441000001',
  atMs: Date.UTC(2026, 0, 1),
  observed: {},
  threshold: {},
  evidence: ['fix-1', 'fix-2'],
  explanation: 'loitered',
};

describe('FlagSink, a vessel flag raised again on the same evidence', () => {
  it('carries reopened: k when the aid on board comes and goes again, and a restore goes on counting', () => {
    const aboard = new Aboard();
    const sink = new FlagSink(aboard, true);
    const first = sink.raise(draft);
    expect(first.reopened).toBeUndefined();
    sink.take();
    // Paperwork puts aid on board: another flag (the aid is part of its id); then it is corrected away.
    aboard.ids = ['CSG-1'];
    sink.relink(['441000001']);
    const withAid = sink.take();
    expect(withAid.cleared.map((c) => c.flagId)).toEqual([first.flagId]);
    expect(withAid.raised[0].flagId).not.toBe(first.flagId);
    aboard.ids = [];
    sink.relink(['441000001']);
    const back = sink.take();
    expect(back.raised).toEqual([expect.objectContaining({ flagId: first.flagId, reopened: 1 })]);
    expect(back.cleared[0].reopened).toBeUndefined();

    // Through a checkpoint of the open flags: the vessel's cleared ids come back with it.
    const restored = new OpenVesselFlags(Number.POSITIVE_INFINITY);
    restored.restore(JSON.parse(JSON.stringify(sink.open.toJSON('441000001'))));
    const again = new FlagSink(aboard, true);
    (again as unknown as { open: OpenVesselFlags }).open = restored;
    aboard.ids = ['CSG-1'];
    again.relink(['441000001']);
    const cleared = again.take();
    expect(cleared.cleared[0]).toMatchObject({ flagId: first.flagId, reopened: 1 });
    expect(cleared.raised[0]).toMatchObject({ flagId: withAid.raised[0].flagId, reopened: 1 });
  });
});
