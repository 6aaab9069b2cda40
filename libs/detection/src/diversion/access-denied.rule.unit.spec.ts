import { accessDenied } from './access-denied.rule';
import { DiversionDetector } from './diversion-detector';
import {
  accessDenied as accessDeniedEvent,
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
const HAEJU = 'KP-SHW-HAEJU-NC';
const denied = (n: number, at: string, siteId = HAEJU) =>
  accessDeniedEvent({
    id: `access-denied-${n}`,
    data: { siteId, at, reason: `Visit ${n} cancelled by local authorities` },
  });
const visited = (n: number, at: string, siteId = HAEJU) =>
  verificationReported({ id: `verification-${n}`, data: { verificationId: `VER-${n}`, siteId, at } });
const known = [exemptionGranted(), consignmentRegistered()];

describe('access-denied', () => {
  it('flags a single denied visit as high, naming the site and the reason but not the monitor', () => {
    const { drafts } = judge(accessDenied, [...known, denied(1, '2024-04-02T01:00:00Z')], { consignmentId });

    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      rule: 'access-denied',
      key: `site:${HAEJU}`,
      severity: 'high',
      evidence: ['access-denied-1'],
      observed: { siteId: HAEJU, consecutiveDenials: 1, monitors: 1 },
      threshold: { escalationCount: 3 },
      raisedAt: '2024-04-02T01:00:00.000Z',
    });
    expect(drafts[0].explanation).toBe(
      'A monitor was denied access to Haeju Nursery Centre (KP-SHW-HAEJU-NC) on 2024-04-02: Visit 1 cancelled ' +
        'by local authorities; 3 denials in a row escalate.',
    );
  });

  it('stays high at two denials in a row and escalates to critical at the third', () => {
    const two = [denied(1, '2024-04-02T01:00:00Z'), denied(2, '2024-04-09T01:00:00Z')];
    expect(judge(accessDenied, [...known, ...two], { consignmentId }).drafts.map((d) => d.severity)).toEqual([
      'high',
    ]);

    const { drafts } = judge(accessDenied, [...known, ...two, denied(3, '2024-04-16T01:00:00Z')], {
      consignmentId,
    });
    expect(drafts.map((d) => [d.severity, d.evidence])).toEqual([
      ['critical', ['access-denied-1', 'access-denied-2', 'access-denied-3']],
    ]);
    expect(drafts[0].explanation).toBe(
      '3 monitoring visits in a row to Haeju Nursery Centre (KP-SHW-HAEJU-NC) were denied (2024-04-02, 2024-04-09 and ' +
        '2024-04-16) with no verification there between, reaching the escalation count of 3. Latest reason: Visit 3 ' +
        'cancelled by local authorities.',
    );
  });

  it('counts only the denials since the latest verification at that site', () => {
    const events = [
      ...known,
      denied(1, '2024-04-02T01:00:00Z'),
      denied(2, '2024-04-09T01:00:00Z'),
      visited(1, '2024-04-12T01:00:00Z'),
      denied(3, '2024-04-16T01:00:00Z'),
      denied(4, '2024-04-23T01:00:00Z'),
    ];
    const { drafts } = judge(accessDenied, events, { consignmentId });
    expect(drafts.map((d) => [d.severity, d.evidence])).toEqual([
      ['high', ['access-denied-3', 'access-denied-4']],
    ]);
  });

  it('does not add up denials at different sites', () => {
    const events = [
      ...known,
      denied(1, '2024-04-02T01:00:00Z'),
      denied(2, '2024-04-09T01:00:00Z', SampleIds.siteId),
      denied(3, '2024-04-16T01:00:00Z'),
    ];
    const { drafts } = judge(accessDenied, events, { consignmentId });
    expect(drafts.map((d) => [d.key, d.severity, d.observed.consecutiveDenials])).toEqual([
      [`site:${HAEJU}`, 'high', 2],
      [`site:${SampleIds.siteId}`, 'high', 1],
    ]);
  });

  it('orders the run by event time, whatever order the reports arrived in', () => {
    const events = [
      ...known,
      denied(3, '2024-04-16T01:00:00Z'),
      visited(1, '2024-04-12T01:00:00Z'),
      denied(1, '2024-04-02T01:00:00Z'),
      denied(2, '2024-04-09T01:00:00Z'),
    ];
    expect(judge(accessDenied, events, { consignmentId }).drafts.map((d) => d.evidence)).toEqual([
      ['access-denied-3'],
    ]);
  });

  it('honours a configured escalation count', () => {
    const events = [...known, denied(1, '2024-04-02T01:00:00Z'), denied(2, '2024-04-09T01:00:00Z')];
    const config = { accessDeniedEscalationCount: 2 };
    expect(judge(accessDenied, events, { consignmentId, config }).drafts[0].severity).toBe('critical');
  });

  it('clears in the detector once a monitor gets in after the denials', () => {
    const detector = new DiversionDetector();
    const first = feed(detector, [
      ...known,
      denied(1, '2024-04-02T01:00:00Z'),
      denied(2, '2024-04-09T01:00:00Z'),
    ]);
    expect(first.raised.map((f) => [f.rule, f.severity])).toEqual([
      ['access-denied', 'high'],
      ['access-denied', 'high'],
    ]);
    expect(first.cleared.map((c) => c.reason)).toEqual(['superseded by new evidence']);

    const changes = handleAt(detector, visited(1, '2024-04-20T01:00:00Z'), timeOf('2024-04-20T01:00:00Z'));

    expect(changes.cleared.map((c) => [c.rule, c.evidence])).toEqual([
      ['access-denied', ['access-denied-1', 'access-denied-2']],
    ]);
    expect(detector.openFlags(consignmentId).filter((f) => f.rule === 'access-denied')).toEqual([]);
  });
});
