import { DiversionDetector } from './diversion-detector';
import { duplicateDocument } from './duplicate-document.rule';
import {
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  sha256Of,
  timeOf,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const other = (billOfLading: string, id = 'registered-C2', time = '2024-03-05T00:00:00Z') =>
  consignmentRegistered({ id, subject: 'C2', time, data: { consignmentId: 'C2', billOfLading } });
const mine = consignmentRegistered();

describe('duplicate-document', () => {
  it('flags a bill of lading cited by two consignments, on each of them', () => {
    const events = [exemptionGranted(), mine, other(' dlcnam240117 ')];

    for (const [subject, self] of [
      [consignmentId, 'the registration of this consignment and also by the registration of consignment C2'],
      [
        'C2',
        'the registration of this consignment and also by the registration of consignment CSG-2024-0117',
      ],
    ]) {
      const { drafts } = judge(duplicateDocument, events, { consignmentId: subject });
      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({
        rule: 'duplicate-document',
        key: 'bill-of-lading:DLCNAM240117',
        severity: 'high',
        evidence: [mine.id, 'registered-C2'],
        consignmentIds: ['C2', consignmentId],
        threshold: { maxUses: 1 },
        raisedAt: '2024-03-05T00:00:00.000Z',
      });
      expect(drafts[0].explanation).toBe(
        `Bill of lading DLCNAM240117 is cited by ${self}; a document should back one movement only.`,
      );
    }
  });

  it('does not flag distinct documents, nor a corrected delivery citing its own note again', () => {
    const delivery = deliveryRecorded();
    const correction = deliveryRecorded({ id: 'delivery-recorded-0117-1-fix', time: '2024-03-12T00:00:00Z' });
    const events = [mine, other('DLCNAM240999'), delivery, correction];
    expect(judge(duplicateDocument, events, { consignmentId }).drafts).toEqual([]);
  });

  it("flags a delivery note whose hash reappears on another consignment's custody handover", () => {
    const note = sha256Of('goods received note SHW-0117-1');
    const handover = custodyTransferred({
      id: 'custody-C2-1',
      subject: 'C2',
      data: { consignmentId: 'C2', documentHash: note.toUpperCase(), at: '2024-04-01T00:00:00Z' },
    });
    const { drafts } = judge(duplicateDocument, [mine, deliveryRecorded(), handover], { consignmentId });

    expect(drafts.map((d) => [d.key, d.evidence])).toEqual([
      [`document:${note}`, ['delivery-recorded-0117-1', 'custody-C2-1']],
    ]);
    expect(drafts[0].explanation).toBe(
      `Document ${note.slice(0, 12)}… is cited by delivery DLV-0117-1 of this consignment (2024-03-11) and also by a ` +
        'custody handover of consignment C2 (2024-04-01); a document should back one movement only.',
    );
  });

  it('flags two deliveries of one consignment citing the same note', () => {
    const second = deliveryRecorded({
      id: 'delivery-recorded-0117-2',
      data: { deliveryId: 'DLV-0117-2', at: '2024-03-12T03:00:00Z' },
    });
    const { drafts } = judge(duplicateDocument, [mine, deliveryRecorded(), second], { consignmentId });
    expect(drafts.map((d) => d.evidence)).toEqual([['delivery-recorded-0117-1', 'delivery-recorded-0117-2']]);
  });

  it('clears on both consignments when the second registration is corrected', () => {
    const detector = new DiversionDetector();
    const raised = feed(detector, [mine, other('DLCNAM240117')]);
    expect(raised.raised.map((f) => f.subject.id).sort()).toEqual(['C2', consignmentId]);

    const corrected = other('DLCNAM240555', 'registered-C2-fix', '2024-03-06T00:00:00Z');
    const changes = handleAt(detector, corrected, timeOf('2024-03-06T00:00:00Z'));
    expect(changes.cleared.map((c) => [c.rule, c.subject.id]).sort()).toEqual([
      ['duplicate-document', 'C2'],
      ['duplicate-document', consignmentId],
    ]);
  });
});
