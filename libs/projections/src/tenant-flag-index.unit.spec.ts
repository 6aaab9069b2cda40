import fc from 'fast-check';
import { clearedOf } from '@aidwatch/detection';
import {
  flagOrganisations,
  OwnershipEventTypes,
  OwnershipStreams,
  storeEventId,
  streamOf,
  type AidEvent,
  type Flag,
} from '@aidwatch/domain';
import { consignmentRegistered, exemptionGranted } from '@aidwatch/domain/testing';
import type { StoredEvent } from '@aidwatch/event-store';
import { flagClearedEvent, flagRaisedEvent } from './flag-events';
import { ReadModelProjection } from './read-model.projection';

const ORGS = ['WFP', 'UNICEF', 'FAO'];
const EXEMPTIONS = ['EX-1', 'EX-2', 'EX-3', 'EX-4'];
const CONSIGNMENTS = ['C-1', 'C-2', 'C-3', 'C-4', 'C-5', 'C-6'];
const RULES = ['quantity-shrinkage', 'duplicate-document', 'encounter'];

type Step =
  | { kind: 'grant'; exemption: number; org: number }
  | { kind: 'register'; consignment: number; exemption: number }
  | { kind: 'raise'; consignments: number[]; rule: number }
  | { kind: 'clear'; nth: number }
  | { kind: 'transfer-exemption'; exemption: number; org: number }
  | { kind: 'transfer-consignment'; consignment: number; exemption: number }
  | { kind: 'checkpoint' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('grant' as const), exemption: fc.nat(3), org: fc.nat(2) }),
  fc.record({ kind: fc.constant('register' as const), consignment: fc.nat(5), exemption: fc.nat(3) }),
  fc.record({
    kind: fc.constant('raise' as const),
    consignments: fc.uniqueArray(fc.nat(5), { maxLength: 3 }),
    rule: fc.nat(2),
  }),
  fc.record({
    kind: fc.constant('raise' as const),
    consignments: fc.constant<number[]>([]),
    rule: fc.nat(2),
  }),
  fc.record({ kind: fc.constant('clear' as const), nth: fc.nat(40) }),
  fc.record({ kind: fc.constant('transfer-exemption' as const), exemption: fc.nat(3), org: fc.nat(2) }),
  fc.record({
    kind: fc.constant('transfer-consignment' as const),
    consignment: fc.nat(5),
    exemption: fc.nat(3),
  }),
  fc.constant({ kind: 'checkpoint' as const }),
);

function stored(event: unknown, streamId: string, position: number): StoredEvent {
  return {
    id: storeEventId(event as AidEvent),
    type: (event as AidEvent).type,
    streamId,
    revision: 0,
    position: String(position),
    data: event,
    metadata: {},
    recordedAt: '2024-04-01T00:00:00.000Z',
  };
}

describe('GET /flags for an organisation walks its own flags (TenantFlagIndex)', () => {
  it('gives every organisation the flags a walk over all flags gives it, through grants, late registrations, transfers and restores', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let projection = new ReadModelProjection();
        let position = 0;
        const raised: Flag[] = [];
        const feed = (event: unknown, streamId: string) =>
          projection.apply(stored(event, streamId, ++position));
        const transfer = (data: Record<string, string>, streamId: string) =>
          feed(
            {
              specversion: '1.0',
              id: `transfer-${position}`,
              type: OwnershipEventTypes.Transferred,
              source: 'aidwatch/operator',
              data: { ...data, by: 'op', at: '', reason: 'r' },
            },
            streamId,
          );
        const check = () => {
          const standing = (id: string) => ({
            organisation: projection.tenants.tenantOfConsignment(id),
            registered: projection.tenants.registrationOrderOf(id),
          });
          for (const org of ORGS) {
            const visible = (flag: Flag) => flagOrganisations(flag, standing).includes(org);
            const all = [...projection.flags.scan({ visible })].map((r) => r.flag.flagId);
            const own = [...projection.flags.scan({ visible, within: projection.flagIndicesOf(org) })];
            expect(own.map((r) => r.flag.flagId)).toEqual(all);
            // From any cursor on, too.
            const cursor = projection.flags.record(Math.floor(projection.flags.size / 2))?.cursor;
            if (cursor !== undefined)
              expect(
                [
                  ...projection.flags.scan({ visible, after: cursor, within: projection.flagIndicesOf(org) }),
                ].map((r) => r.flag.flagId),
              ).toEqual([...projection.flags.scan({ visible, after: cursor })].map((r) => r.flag.flagId));
          }
        };
        for (const s of steps) {
          if (s.kind === 'grant') {
            const event = exemptionGranted({
              id: `grant-${position}`,
              data: { exemptionId: EXEMPTIONS[s.exemption], implementingOrg: ORGS[s.org] },
            });
            feed(event, streamOf(event));
          } else if (s.kind === 'register') {
            const consignmentId = CONSIGNMENTS[s.consignment];
            const event = consignmentRegistered({
              id: `reg-${position}`,
              subject: consignmentId,
              data: { consignmentId, exemptionId: EXEMPTIONS[s.exemption] },
            });
            feed(event, streamOf(event));
          } else if (s.kind === 'raise') {
            const ids = s.consignments.map((c) => CONSIGNMENTS[c]);
            const flag: Flag = {
              flagId: `flag-${position}`,
              fingerprint: `f-${position}`,
              rule: RULES[s.rule] as Flag['rule'],
              severity: 'high',
              subject:
                ids.length > 0 ? { kind: 'consignment', id: ids[0] } : { kind: 'vessel', id: '441000001' },
              consignmentIds: ids,
              observed: {},
              threshold: {},
              evidence: [],
              explanation: 'x',
              raisedAt: '2024-03-08T10:00:00Z',
            };
            raised.push(flag);
            feed(flagRaisedEvent(flag), `risk-${position}`);
          } else if (s.kind === 'clear') {
            const flag = raised[s.nth % Math.max(1, raised.length)];
            if (flag)
              feed(
                flagClearedEvent(clearedOf(flag, '2024-03-09T00:00:00Z', 'resolved')),
                `risk-${flag.flagId}`,
              );
          } else if (s.kind === 'transfer-exemption') {
            const exemptionId = EXEMPTIONS[s.exemption];
            const fromOrg = projection.tenants.tenantOfExemption(exemptionId);
            if (fromOrg !== undefined)
              transfer(
                { kind: 'exemption', exemptionId, fromOrg, toOrg: ORGS[s.org] },
                OwnershipStreams.exemption(exemptionId),
              );
          } else if (s.kind === 'transfer-consignment') {
            const consignmentId = CONSIGNMENTS[s.consignment];
            transfer(
              {
                kind: 'consignment',
                consignmentId,
                fromExemptionId: 'EX-1',
                toExemptionId: EXEMPTIONS[s.exemption],
              },
              OwnershipStreams.consignment(consignmentId),
            );
          } else {
            const restored = new ReadModelProjection();
            restored.restore(JSON.parse(JSON.stringify(projection.snapshot())));
            projection = restored;
          }
          check();
        }
      }),
      { numRuns: 300 },
    );
  });
});
