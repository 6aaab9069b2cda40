import { DiversionDetector } from './diversion-detector';
import { verificationOverdue } from './verification-overdue.rule';
import {
  consignmentRegistered,
  deliveryRecorded,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  timeOf,
  verificationReported,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const delivery = deliveryRecorded();
const deliveredAt = timeOf(delivery.data.at);
// Due 30 days after the delivery; judged once the watermark is past that plus 24 h of allowed lateness.
const judgedFrom = deliveredAt + 30 * DAY + 24 * HOUR + 1;
const known = [exemptionGranted(), consignmentRegistered(), delivery];
const visit = (at: string, siteId: string = SampleIds.siteId) =>
  verificationReported({ id: `verification-${at}`, data: { verificationId: `VER-${at}`, siteId, at } });

describe('verification-overdue', () => {
  it('flags a delivery with no verification at its site within 30 days', () => {
    const { drafts } = judge(verificationOverdue, known, { consignmentId, watermark: judgedFrom });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'verification-overdue',
      key: 'delivery:DLV-0117-1',
      severity: 'medium',
      evidence: [delivery.id],
      threshold: { verificationDueDays: 30, dueAt: '2024-04-10T03:00:00.000Z' },
      raisedAt: '2024-03-11T03:00:00.000Z',
    });
    expect(drafts[0].explanation).toBe(
      'No end-use verification at Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) within 30 days of ' +
        'delivery DLV-0117-1 on 2024-03-11 (due by 2024-04-10).',
    );
  });

  it('does not flag at exactly the due time plus lateness, and asks to be woken one millisecond later', () => {
    const atBoundary = judge(verificationOverdue, known, { consignmentId, watermark: judgedFrom - 1 });
    expect(atBoundary.drafts).toEqual([]);
    expect(atBoundary.nextDeadline).toBe(judgedFrom);
  });

  it('is satisfied by a verification at the same site on or after the delivery only', () => {
    const options = { consignmentId, watermark: judgedFrom };
    expect(judge(verificationOverdue, [...known, visit('2024-03-25T05:00:00Z')], options).drafts).toEqual([]);
    expect(
      judge(verificationOverdue, [...known, visit('2024-03-25T05:00:00Z', 'KP-SHW-HAEJU-NC')], options)
        .drafts,
    ).toHaveLength(1);
    expect(
      judge(verificationOverdue, [...known, visit('2024-03-10T05:00:00Z')], options).drafts,
    ).toHaveLength(1);
  });

  it('follows the configured period', () => {
    const config = { verificationDueDays: 14, allowedLatenessHours: 0 };
    const watermark = deliveredAt + 14 * DAY + 1;
    expect(
      judge(verificationOverdue, known, { consignmentId, watermark, config }).drafts[0].threshold,
    ).toMatchObject({
      verificationDueDays: 14,
    });
    expect(
      judge(verificationOverdue, known, { consignmentId, watermark: watermark - 1, config }).drafts,
    ).toEqual([]);
  });

  it('is raised by the watermark alone and cleared by a verification that arrives late', () => {
    // Other rules (e.g. a delivery with no discharge on record) speak too; this story follows this rule only.
    const overdueOf = (flags: Array<{ rule: string }>) =>
      flags.filter((f) => f.rule === 'verification-overdue');
    const detector = new DiversionDetector();
    expect(overdueOf(feed(detector, known).raised)).toEqual([]);

    expect(overdueOf(detector.advanceWatermark(judgedFrom - 1).raised)).toEqual([]);
    const overdue = detector.advanceWatermark(judgedFrom);
    expect(overdue.raised.map((f) => f.rule)).toEqual(['verification-overdue']);
    expect(detector.pendingDeadlines()).toBe(0);

    const late = visit('2024-04-20T05:00:00Z');
    const changes = handleAt(detector, late, timeOf(late.data.at));
    expect(changes.cleared.map((c) => [c.rule, c.flagId])).toEqual([
      ['verification-overdue', overdue.raised[0].flagId],
    ]);
  });
});
