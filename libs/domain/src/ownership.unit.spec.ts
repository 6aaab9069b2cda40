import fc from 'fast-check';
import type { AidEvent } from './events';
import {
  BatchOwnership,
  claimantOf,
  overlappingClaim,
  OwnershipEventTypes,
  OwnershipLedger,
  ownershipRefusal,
  type OwnershipLookup,
  readingOf,
  type OwnershipTransferredData,
} from './ownership';
import { consignmentRegistered, exemptionGranted } from './testing';

const lookupOf = (ledger: OwnershipLedger): OwnershipLookup => ({
  organisationOfExemption: (id) => Promise.resolve(ledger.organisationOfExemption(id)),
  exemptionOfConsignment: (id) => Promise.resolve(ledger.exemptionOfConsignment(id)),
});

const grant = (exemptionId: string, implementingOrg: string, id = `g-${exemptionId}-${implementingOrg}`) =>
  exemptionGranted({ id, data: { exemptionId, implementingOrg } });
const registration = (consignmentId: string, exemptionId: string, id = `r-${consignmentId}-${exemptionId}`) =>
  consignmentRegistered({ id, data: { consignmentId, exemptionId } });
const transfer = (data: OwnershipTransferredData) => ({ type: OwnershipEventTypes.Transferred, data });

describe('the ownership model', () => {
  it('gives an exemption to its first grant and a consignment to its first registration', () => {
    const ledger = new OwnershipLedger();
    ledger.apply(grant('E-1', 'Org A'));
    ledger.apply(grant('E-1', 'Org B'));
    ledger.apply(grant('E-2', 'Org B'));
    ledger.apply(registration('C-1', 'E-1'));
    ledger.apply(registration('C-1', 'E-2'));
    expect(ledger.organisationOfExemption('E-1')).toBe('Org A');
    expect(ledger.exemptionOfConsignment('C-1')).toBe('E-1');
    expect(ledger.organisationOfConsignment('C-1')).toBe('Org A');
    expect(ledger.organisationOfConsignment('C-unknown')).toBeUndefined();
  });

  it('moves ownership only by an operator transfer, and keeps it through a snapshot', () => {
    const ledger = new OwnershipLedger();
    ledger.apply(grant('E-1', 'Org A'));
    ledger.apply(grant('E-2', 'Org B'));
    ledger.apply(registration('C-1', 'E-1'));
    const common = { by: 'key:op', at: '2026-01-01T00:00:00Z', reason: 'handover' };
    ledger.apply(
      transfer({
        kind: 'consignment',
        consignmentId: 'C-1',
        fromExemptionId: 'E-1',
        toExemptionId: 'E-2',
        ...common,
      }),
    );
    expect(ledger.organisationOfConsignment('C-1')).toBe('Org B');
    ledger.apply(
      transfer({ kind: 'exemption', exemptionId: 'E-2', fromOrg: 'Org B', toOrg: 'Org C', ...common }),
    );
    const restored = OwnershipLedger.fromJson(JSON.parse(JSON.stringify(ledger.toJson())));
    expect(restored.organisationOfConsignment('C-1')).toBe('Org C');
    expect(restored.organisationOfExemption('E-1')).toBe('Org A');
  });

  it('refuses a grant naming another organisation and a registration naming another exemption', async () => {
    const ledger = new OwnershipLedger();
    ledger.apply(grant('E-B', 'Org B'));
    ledger.apply(grant('E-A', 'Org A'));
    ledger.apply(registration('C-B', 'E-B'));
    const owners = lookupOf(ledger);
    expect(await ownershipRefusal(grant('E-B', 'Org A', 'takeover'), owners)).toMatch(
      /belongs to another organisation/,
    );
    expect(await ownershipRefusal(registration('C-B', 'E-A', 'takeover'), owners)).toMatch(
      /another exemption/,
    );
    // The owner amends its own: allowed.
    expect(await ownershipRefusal(grant('E-B', 'Org B', 'amendment'), owners)).toBeUndefined();
    expect(await ownershipRefusal(registration('C-B', 'E-B', 'amendment'), owners)).toBeUndefined();
    // New ids: allowed.
    expect(await ownershipRefusal(grant('E-new', 'Org A'), owners)).toBeUndefined();
  });

  it('judges a batch in order: two first grants of one exemption to two organisations cannot both pass', async () => {
    const batch = new BatchOwnership(lookupOf(new OwnershipLedger()));
    expect(await batch.judge(grant('E-1', 'Org A'))).toBeUndefined();
    expect(await batch.judge(grant('E-1', 'Org B'))).toBeDefined();
    expect(await batch.judge(registration('C-1', 'E-1'))).toBeUndefined();
    expect(await batch.judge(registration('C-1', 'E-2'))).toBeDefined();
  });

  it('property: whatever producers send, accepted grants and registrations never change an owner', async () => {
    const orgs = ['Org A', 'Org B', 'Org C'];
    const exemptions = ['E-1', 'E-2', 'E-3'];
    const consignments = ['C-1', 'C-2', 'C-3'];
    const event = fc.oneof(
      fc.record({
        kind: fc.constant('grant' as const),
        id: fc.constantFrom(...exemptions),
        to: fc.constantFrom(...orgs),
      }),
      fc.record({
        kind: fc.constant('registration' as const),
        id: fc.constantFrom(...consignments),
        to: fc.constantFrom(...exemptions),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(event, { maxLength: 5 }), { maxLength: 12 }), async (requests) => {
        const ledger = new OwnershipLedger();
        const firstOwner = new Map<string, string>();
        let n = 0;
        for (const request of requests) {
          // One request (or Kafka batch) is judged as a whole against the store, then stored.
          const batch = new BatchOwnership(lookupOf(ledger));
          const accepted: AidEvent[] = [];
          for (const e of request) {
            const candidate =
              e.kind === 'grant' ? grant(e.id, e.to, `g${++n}`) : registration(e.id, e.to, `r${++n}`);
            if ((await batch.judge(candidate)) === undefined) accepted.push(candidate);
          }
          for (const e of accepted) {
            ledger.apply(e);
            const [key, owner] =
              e.type === 'aidwatch.exemption.granted.v1'
                ? [`e:${e.data.exemptionId}`, e.data.implementingOrg]
                : [
                    `c:${(e.data as { consignmentId: string }).consignmentId}`,
                    (e.data as { exemptionId: string }).exemptionId,
                  ];
            if (!firstOwner.has(key)) firstOwner.set(key, owner);
            expect(owner).toBe(firstOwner.get(key));
          }
        }
        for (const id of exemptions)
          expect(ledger.organisationOfExemption(id)).toBe(firstOwner.get(`e:${id}`));
        for (const id of consignments)
          expect(ledger.exemptionOfConsignment(id)).toBe(firstOwner.get(`c:${id}`));
      }),
      { numRuns: 200 },
    );
  });
});

describe('claimed namespaces read ids as they look (UTS #39 confusables)', () => {
  const claims = [{ org: 'Org B', prefix: 'WFP-2026-' }];
  const lookalikes = [
    'WFP\u20102026-0001', // hyphen U+2010
    'WFP\u20112026-0001', // non-breaking hyphen
    'WFP\u22122026-0001', // minus sign
    'WF\u0420-2026-0001', // Cyrillic Er
    'W\uff26P-2026-0001', // fullwidth F
    'WFP\u0301-2026-0001', // P with a combining acute
    '\u{1d416}FP-2026-0001', // mathematical bold W
  ];

  it.each(lookalikes)('%j is in the namespace it looks like', (id) => {
    expect(claimantOf(claims, id)).toBe('Org B');
  });

  it('ids that look different stay first-come', () => {
    for (const id of ['WFQ-2026-0001', 'UNICEF-2026-1', 'wfp-2026-0001', 'WFP2026-0001'])
      expect(claimantOf(claims, id)).toBeUndefined();
  });

  it('a prefix that looks like another organisation’s claim overlaps it', () => {
    expect(overlappingClaim(claims, 'Org A', 'WF\u0420-')).toEqual(claims[0]);
    expect(overlappingClaim(claims, 'Org A', 'W\uff26P-2026-0001')).toEqual(claims[0]);
    expect(overlappingClaim(claims, 'Org A', 'UNICEF-')).toBeUndefined();
    expect(overlappingClaim(claims, 'Org B', 'WF\u0420-')).toBeUndefined();
  });

  it('the reading of a prefix is a prefix of the reading of any id that starts with it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        (a, b) => readingOf(a + b).startsWith(readingOf(a)),
      ),
      { seed: 20261205, numRuns: 500 },
    );
  });
});
