import type { FlagDraft } from './flag-draft';
import { MAX_CLEARED_KEPT } from './cleared-flag-ids';
import { OpenFlags } from './open-flags';

const draft = (key: string, evidence = ['e1']): FlagDraft => ({
  rule: 'over-authorisation',
  subject: { kind: 'consignment', id: 'CSG-1' },
  consignmentIds: ['CSG-1'],
  key,
  severity: 'high',
  observed: {},
  threshold: {},
  evidence,
  explanation: 'over',
  raisedAt: '2026-01-01T00:00:00.000Z',
});

describe('OpenFlags, a flag raised again on the same evidence', () => {
  it('carries reopened: k after its k-th clear, and its clear the same; a restore goes on counting', () => {
    const open = new OpenFlags();
    const first = open.reconcile([draft('item:RUTF')], 't1').raised[0];
    expect(first.reopened).toBeUndefined();
    expect(open.reconcile([], 't2').cleared[0].reopened).toBeUndefined();
    const again = open.reconcile([draft('item:RUTF')], 't3').raised[0];
    expect(again).toMatchObject({ flagId: first.flagId, reopened: 1 });
    expect(open.reconcile([], 't4').cleared[0]).toMatchObject({ flagId: first.flagId, reopened: 1 });
    // Restored from its checkpoint form between a clear and the next raise.
    const restored = new OpenFlags(open.values(), JSON.parse(JSON.stringify(open.clearedCounts())));
    expect(restored.reconcile([draft('item:RUTF')], 't5').raised[0]).toMatchObject({ reopened: 2 });
    // Evidence that changed is another flag: its first raise, not a reopening.
    const other = restored.reconcile([draft('item:RUTF', ['e1', 'e2'])], 't6');
    expect(other.raised[0].reopened).toBeUndefined();
    expect(other.cleared[0]).toMatchObject({
      flagId: first.flagId,
      reopened: 2,
      reason: 'superseded by new evidence',
    });
  });

  it(`remembers the ${MAX_CLEARED_KEPT} most recently cleared ids`, () => {
    const open = new OpenFlags();
    for (let i = 0; i <= MAX_CLEARED_KEPT; i++) {
      open.reconcile([draft(`item:${i}`)], 't');
      open.reconcile([], 't');
    }
    expect(open.clearedCounts()).toHaveLength(MAX_CLEARED_KEPT);
    expect(open.reconcile([draft(`item:${MAX_CLEARED_KEPT}`)], 't').raised[0].reopened).toBe(1);
  });
});
