import type { VesselFlagDraft } from './flag-sink';
import { OpenVesselFlags, type OpenVesselFlag } from './open-vessel-flags';

const entry = (mmsi: string, key: string, atMs: number, partnerMmsi?: string): OpenVesselFlag => {
  const draft: VesselFlagDraft = {
    rule: partnerMmsi ? 'encounter' : 'loitering',
    key,
    severity: 'medium',
    mmsi,
    atMs,
    observed: {},
    threshold: {},
    evidence: [key],
    explanation: key,
    ...(partnerMmsi ? { partnerMmsi } : {}),
  };
  return { draft, consignmentIds: [], flagId: `id-${mmsi}-${key}-${atMs}`, fingerprint: `${mmsi}|${key}` };
};
const keys = (list: readonly OpenVesselFlag[]) => list.map((e) => `${e.draft.mmsi}:${e.draft.key}`);

describe('OpenVesselFlags', () => {
  it('replaces a flag of the same fingerprint in place and keeps at most the bound per vessel', () => {
    const open = new OpenVesselFlags(2);
    open.put(entry('A', 'k1', 30));
    open.put(entry('A', 'k2', 10));
    open.put(entry('A', 'k1', 40));
    expect(keys(open.of('A'))).toEqual(['A:k1', 'A:k2']);
    expect(open.get('A|k1')?.draft.atMs).toBe(40);
    // A third flag: the one whose episode ended first (k2, at 10) is no longer kept.
    open.put(entry('A', 'k3', 20));
    expect(keys(open.of('A'))).toEqual(['A:k1', 'A:k3']);
    expect(open.size).toBe(2);
    expect(open.takeChanged()).toEqual(['A']);
    expect(open.takeChanged()).toEqual([]);
  });

  it('finds the flags about a vessel: its own and those of vessels that met it, in a fixed order', () => {
    const open = new OpenVesselFlags(8);
    open.put(entry('C', 'met-A', 5, 'A'));
    open.put(entry('B', 'met-A', 5, 'A'));
    open.put(entry('A', 'own', 1));
    open.put(entry('B', 'alone', 2));
    open.put(entry('A', 'met-B', 5, 'B'));
    expect(keys(open.involving(['A']))).toEqual(['A:own', 'A:met-B', 'B:met-A', 'C:met-A']);
    open.remove('C|met-A');
    expect(keys(open.involving(['A']))).toEqual(['A:own', 'A:met-B', 'B:met-A']);
    expect(open.vessels()).toEqual(['A', 'B']);

    const restored = new OpenVesselFlags(8);
    for (const mmsi of open.vessels().reverse()) restored.restore(open.toJSON(mmsi)!);
    expect(keys(restored.involving(['A', 'B']))).toEqual(keys(open.involving(['A', 'B'])));
    expect(restored.toJSON('C')).toBeUndefined();
  });
});
