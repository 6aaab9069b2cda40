import fc from 'fast-check';
import { foreignIdentifiers, REDACTED, redactIdentifiers, type ConsignmentOwnership } from './redaction';

const owners = new Map<string, ConsignmentOwnership>([
  ['C-1', { organisation: 'Org A', exemptionId: 'EX-A', siteIds: ['S-A', 'S-SHARED'] }],
  ['C-10', { organisation: 'Org A', exemptionId: 'EX-A', siteIds: ['S-A', 'S-SHARED'] }],
  ['C-2', { organisation: 'Org B', exemptionId: 'EX-B', siteIds: ['S-B', 'S-SHARED'] }],
  ['C-3', { organisation: 'Org B', exemptionId: 'EX-B2', siteIds: ['S-B2'] }],
]);
const ownerOf = (id: string) => owners.get(id);

describe('redaction per reader', () => {
  it('leaves out and replaces the other organisation’s identifiers, keeps the reader’s and the flag identity', () => {
    const alert = {
      alertId: 'abc123',
      flagIds: ['f1'],
      consignmentIds: ['C-1', 'C-2'],
      labels: {
        consignmentId: ['C-1', 'C-2'],
        organisation: ['Org A', 'Org B'],
        exemptionId: ['EX-A', 'EX-B'],
        siteId: ['S-SHARED', 'S-B'],
      },
      flag: {
        explanation: 'Vessel carried C-1 (Org A) and C-2 (Org B, exemption EX-B); C-10 too.',
        evidence: ['C-1/delivery-1', 'C-2/delivery-1'],
      },
    };
    const foreign = foreignIdentifiers('Org A', alert.consignmentIds, ownerOf);
    expect([...foreign].sort()).toEqual(['C-2', 'EX-B', 'Org B', 'S-B']);
    const seen = redactIdentifiers(alert, foreign);
    expect(seen).toEqual({
      alertId: 'abc123',
      flagIds: ['f1'],
      consignmentIds: ['C-1'],
      labels: {
        consignmentId: ['C-1'],
        organisation: ['Org A'],
        exemptionId: ['EX-A'],
        siteId: ['S-SHARED'],
      },
      flag: {
        explanation: `Vessel carried C-1 (Org A) and ${REDACTED} (${REDACTED}, exemption ${REDACTED}); C-10 too.`,
        evidence: ['C-1/delivery-1'],
      },
    });
  });

  it("a shared consignment flag's clear shows the reader only the evidence shown to be its own", () => {
    const uses = [
      { kind: 'bill-of-lading', consignmentId: 'C-1', ref: null, eventId: 'a-reg-1' },
      { kind: 'bill-of-lading', consignmentId: 'C-2', ref: null, eventId: 'b-batch-77-line-3' },
    ];
    const raised = {
      flagId: 'f-dup',
      rule: 'duplicate-document',
      subject: { kind: 'consignment', id: 'C-1' },
      consignmentIds: ['C-1', 'C-2'],
      observed: { document: 'BL-1', uses },
      evidence: ['a-reg-1', 'b-batch-77-line-3'],
    };
    const cleared = {
      flagId: 'f-dup',
      rule: 'duplicate-document',
      subject: { kind: 'consignment', id: 'C-1' },
      consignmentIds: ['C-1', 'C-2'],
      reason: 'no longer cited twice',
      evidence: ['C-1/registered', 'a-reg-1', 'b-batch-77-line-3', 'C-2/registered'],
    };
    const foreign = foreignIdentifiers('Org A', raised.consignmentIds, ownerOf);
    expect(redactIdentifiers(raised, foreign).evidence).toEqual(['a-reg-1']);
    // Without `observed` a clear cannot show whose a bare event id is: only the ids naming C-1 stay.
    expect(redactIdentifiers(cleared, foreign).evidence).toEqual(['C-1/registered']);
    expect(redactIdentifiers({ data: cleared }, foreign).data.evidence).toEqual(['C-1/registered']);
    // Alone with its own consignments, or read by B (to whom C-1 is the foreign one), nothing else changes.
    expect(redactIdentifiers(cleared, foreignIdentifiers('Org A', ['C-1'], ownerOf))).toBe(cleared);
    expect(
      redactIdentifiers(cleared, foreignIdentifiers('Org B', cleared.consignmentIds, ownerOf)).evidence,
    ).toEqual(['C-2/registered']);
    // A vessel flag's evidence (positions, nobody's) is kept whole.
    const vessel = { ...cleared, subject: { kind: 'vessel', id: '412000077' }, evidence: ['pos-1', 'pos-2'] };
    expect(redactIdentifiers(vessel, foreign).evidence).toEqual(['pos-1', 'pos-2']);
  });

  it('treats a consignment of unknown owner as another organisation’s', () => {
    expect(foreignIdentifiers('Org A', ['C-1', 'C-unknown'], ownerOf)).toEqual(new Set(['C-unknown']));
  });

  it('property: a reader never receives another organisation’s identifier as a whole token, and keeps its own', () => {
    const ids = [...owners.keys()];
    const text = fc.array(
      fc.constantFrom(
        ...ids,
        'EX-A',
        'EX-B',
        'EX-B2',
        'S-B',
        'S-SHARED',
        'Org B',
        'Org A',
        ' ',
        ', ',
        'C-100',
        '(',
        ')',
      ),
      {
        maxLength: 20,
      },
    );
    const subject = fc.record({
      consignmentIds: fc.subarray(ids, { minLength: 1 }),
      explanation: text.map((parts) => parts.join('')),
      note: text.map((parts) => parts.join(' ')),
      labels: fc.record({ siteId: fc.subarray(['S-A', 'S-B', 'S-B2', 'S-SHARED']) }),
    });
    fc.assert(
      fc.property(subject, fc.constantFrom('Org A', 'Org B'), (value, reader) => {
        const foreign = foreignIdentifiers(reader, value.consignmentIds, ownerOf);
        const seen = redactIdentifiers(value, foreign);
        const tokens = (s: string) => s.split(/[\s,()]+/).filter(Boolean);
        const words = [
          ...seen.consignmentIds,
          ...seen.labels.siteId,
          ...tokens(seen.explanation),
          ...tokens(seen.note).map((t) => t),
        ];
        // A multi-word name ("Org B") is checked in the sentences as a phrase.
        for (const id of foreign) {
          expect(words).not.toContain(id);
          expect(` ${seen.explanation} ${seen.note} `).not.toMatch(
            new RegExp(`(^|[\\s,()])${id.replace(/[-]/g, '\\-')}([\\s,()]|$)`),
          );
        }
        for (const id of value.consignmentIds)
          if (owners.get(id)?.organisation === reader) expect(seen.consignmentIds).toContain(id);
      }),
      { numRuns: 300 },
    );
  });
});
