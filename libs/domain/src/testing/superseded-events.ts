import type { CloudEvent } from '../cloud-event';
import { SupersededEventTypes } from '../event-types';
import type { Flag } from '../flag';
import { SampleIds } from './samples';

/** A flag as `aidwatch.flag.raised.v1` carried it (until contract 1.2): the same fields, personal data included. */
export type FlagV1 = Omit<Flag, 'observed'> & { observed: Record<string, unknown> };

const consignment = { kind: 'consignment', id: SampleIds.consignmentId } as const;

/**
 * The three v1 flags that named a monitor, as the detector wrote them before contract 1.2: a denied visit
 * (`observed.monitors` held the ids), a monitor's finding (`observed.monitorId`) and a shrinkage at a
 * verification ("Monitor <id> accounted for …").
 */
export const flagsV1 = (monitorId: string = SampleIds.monitorId): FlagV1[] => [
  {
    flagId: 'flag-v1-access-denied',
    fingerprint: 'fp-access-denied',
    rule: 'access-denied',
    severity: 'high',
    subject: consignment,
    consignmentIds: [SampleIds.consignmentId],
    observed: { siteId: SampleIds.siteId, consecutiveDenials: 1, monitors: [monitorId], reasons: ['Closed'] },
    threshold: { escalationCount: 3 },
    evidence: ['access-denied-1'],
    explanation:
      `Monitor ${monitorId} was denied access to Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH) ` +
      'on 2024-04-02: Closed; 3 denials in a row escalate.',
    raisedAt: '2024-04-02T01:00:00.000Z',
  },
  {
    flagId: 'flag-v1-monitor-finding',
    fingerprint: 'fp-monitor-finding',
    rule: 'monitor-finding',
    severity: 'high',
    subject: consignment,
    consignmentIds: [SampleIds.consignmentId],
    observed: { verificationId: 'VER-0117-1', finding: 'not_found', siteId: SampleIds.siteId, monitorId },
    threshold: { expectedFinding: 'consistent' },
    evidence: ['verification-reported-0117-1'],
    explanation:
      `Monitor ${monitorId} reported the goods not found at Sariwon Provincial Paediatric Hospital ` +
      '(KP-SHW-SARIWON-PH) on 2024-03-25 (verification VER-0117-1).',
    raisedAt: '2024-03-25T05:00:00.000Z',
  },
  {
    flagId: 'flag-v1-quantity-shrinkage',
    fingerprint: 'fp-quantity-shrinkage',
    rule: 'quantity-shrinkage',
    severity: 'medium',
    subject: consignment,
    consignmentIds: [SampleIds.consignmentId],
    observed: { itemCode: 'RUTF', step: 'verified', previousStep: 'delivered', quantity: 1100 },
    threshold: { tolerancePct: 2, toleranceAbs: 0 },
    evidence: ['delivery-recorded-0117-1', 'verification-reported-0117-1'],
    explanation:
      `Monitor ${monitorId} accounted for 1,100 cartons of RUTF at Sariwon Provincial Paediatric Hospital ` +
      '(KP-SHW-SARIWON-PH) but 1,200 cartons were delivered there by then: 8.3 % lost (100 cartons), tolerance 2 %.',
    raisedAt: '2024-03-25T05:00:00.000Z',
  },
];

/** A v1 flag as the detector published and stored it: the CloudEvent `aidwatch.flag.raised.v1`. */
export const flagRaisedV1 = (flag: FlagV1): CloudEvent<typeof SupersededEventTypes.FlagRaisedV1, FlagV1> => ({
  specversion: '1.0',
  id: `${flag.flagId}:raised`,
  source: 'aidwatch/detector',
  type: SupersededEventTypes.FlagRaisedV1,
  subject: flag.subject.id,
  time: flag.raisedAt,
  datacontenttype: 'application/json',
  data: flag,
});
