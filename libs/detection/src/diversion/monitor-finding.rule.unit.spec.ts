import type { VerificationFinding } from '@aidwatch/domain';
import { DiversionDetector } from './diversion-detector';
import { monitorFinding } from './monitor-finding.rule';
import {
  consignmentRegistered,
  exemptionGranted,
  feed,
  judge,
  SampleIds,
  timeOf,
  verificationReported,
  handleAt,
} from './testing/diversion-harness';

const consignmentId = SampleIds.consignmentId;
const reported = (finding: VerificationFinding) => verificationReported({ data: { finding } });
const known = [exemptionGranted(), consignmentRegistered()];

describe('monitor-finding', () => {
  it.each([
    ['discrepancy', 'medium', 'a discrepancy'],
    ['not_found', 'high', 'the goods not found'],
    ['diversion_suspected', 'critical', 'suspected diversion'],
  ] as const)('flags a %s finding as %s', (finding, severity, words) => {
    const { drafts } = judge(monitorFinding, [...known, reported(finding)], { consignmentId });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'monitor-finding',
      key: 'verification:VER-0117-1',
      severity,
      evidence: ['verification-reported-0117-1'],
      observed: { finding, verificationId: 'VER-0117-1', siteId: SampleIds.siteId },
      raisedAt: '2024-03-25T05:00:00.000Z',
    });
    expect(drafts[0].explanation).toBe(
      `A monitor reported ${words} at Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) on 2024-03-25 ` +
        '(verification VER-0117-1).',
    );
  });

  it('does not flag a consistent finding', () => {
    expect(judge(monitorFinding, [...known, reported('consistent')], { consignmentId }).drafts).toEqual([]);
  });

  it('takes its severities from the configuration', () => {
    const config = {
      monitorFindingSeverity: {
        discrepancy: 'low',
        not_found: 'high',
        diversion_suspected: 'critical',
      } as const,
    };
    expect(
      judge(monitorFinding, [...known, reported('discrepancy')], { consignmentId, config }).drafts[0]
        .severity,
    ).toBe('low');
  });

  it('clears when the monitor corrects the report to consistent, whatever order the versions arrive in', () => {
    const correction = verificationReported({
      id: 'verification-reported-0117-1-fix',
      time: '2024-03-26T05:00:00Z',
    });
    expect(
      judge(monitorFinding, [...known, correction, reported('not_found')], { consignmentId }).drafts,
    ).toEqual([]);

    const detector = new DiversionDetector();
    expect(feed(detector, [...known, reported('not_found')]).raised.map((f) => f.rule)).toEqual([
      'monitor-finding',
    ]);
    const changes = handleAt(detector, correction, timeOf(correction.time));
    expect(changes.cleared.map((c) => c.rule)).toEqual(['monitor-finding']);
  });
});
