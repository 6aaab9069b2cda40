import fc from 'fast-check';
import {
  AboardEventKinds,
  CatalogueEntries,
  flagOrganisations,
  storeEventId,
  streamOf,
  type AidEvent,
  type Flag,
} from '@aidwatch/domain';
import {
  SampleBuilders,
  SampleIds,
  consignmentDischarged,
  consignmentLoaded,
  consignmentDeparted,
  consignmentRegistered,
  custodyTransferred,
  exemptionGranted,
} from '@aidwatch/domain/testing';
import type { StoredEvent } from '@aidwatch/event-store';
import { clearedOf } from '@aidwatch/detection';
import { DiversionState } from '../../detection/src/diversion/diversion-state';
import { flagClearedEvent, flagRaisedEvent } from './flag-events';
import { ReadModelProjection } from './read-model.projection';
import { storedWeightOf, TenantUsage } from './tenant-usage';

const ORGS = ['WFP', 'UNICEF', 'FAO'];
const EXEMPTIONS = ['EX-1', 'EX-2', 'EX-3'];
const CONSIGNMENTS = ['C-1', 'C-2', 'C-3', 'C-4', 'C-5'];
const RULES = ['quantity-shrinkage', 'duplicate-document', 'encounter'] as const;

let position = 0;
function stored(event: unknown, metadata: Record<string, unknown> = {}): StoredEvent {
  return {
    id: storeEventId(event as AidEvent),
    type: (event as AidEvent).type,
    streamId: (event as AidEvent).type.startsWith('aidwatch.flag.')
      ? `risk-${(event as { subject: string }).subject}`
      : streamOf(event as AidEvent),
    revision: 0,
    position: String(++position),
    data: event,
    metadata,
    recordedAt: '2024-04-01T00:00:00.000Z',
  };
}

const grant = (exemption: number, org: number) =>
  exemptionGranted({
    id: `grant-${exemption}`,
    data: { exemptionId: EXEMPTIONS[exemption], implementingOrg: ORGS[org] },
  });
const registration = (consignment: number, exemption: number) =>
  consignmentRegistered({
    id: `reg-${consignment}`,
    subject: CONSIGNMENTS[consignment],
    data: { consignmentId: CONSIGNMENTS[consignment], exemptionId: EXEMPTIONS[exemption] },
  });
const flag = (n: number, rule: (typeof RULES)[number], ids: string[], subject?: string): Flag => ({
  flagId: `flag-${n}`,
  fingerprint: `f-${n}`,
  rule,
  severity: 'high',
  subject: subject ? { kind: 'consignment', id: subject } : { kind: 'vessel', id: '441000001' },
  consignmentIds: ids,
  observed: {},
  threshold: {},
  evidence: [],
  explanation: 'x',
  raisedAt: '2024-03-01T00:00:00.000Z',
});

describe('TenantUsage: the flag records each organisation is shown (LIMIT_TENANT_FLAGS)', () => {
  it('counts a raise for every organisation it is shown to, as the read model shows it, and for its subject’s', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(2), { minLength: 5, maxLength: 5 }),
        fc.array(
          fc.record({
            consignments: fc.uniqueArray(fc.nat(4), { maxLength: 3 }),
            rule: fc.constantFrom(...RULES),
            reopened: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (grantedTo, registeredUnder, raises) => {
          const counts = new TenantUsage();
          const model = new ReadModelProjection();
          const feed = (event: unknown) => {
            const s = stored(event);
            counts.apply(s);
            model.apply(s);
          };
          grantedTo.forEach((org, exemption) => feed(grant(exemption, org)));
          registeredUnder.forEach((exemption, consignment) => feed(registration(consignment, exemption)));
          raises.forEach((r, n) => {
            const ids = r.consignments.map((c) => CONSIGNMENTS[c]).sort();
            const raised = flag(n, r.rule, ids, ids[0]);
            feed(flagRaisedEvent(raised));
            // Cleared and raised again: one more record.
            if (r.reopened) {
              feed(flagClearedEvent(clearedOf(raised, '2024-03-02T00:00:00.000Z', 'evidence corrected')));
              feed(flagRaisedEvent({ ...raised, reopened: 1 }));
            }
          });
          const standing = (id: string) => ({
            organisation: model.tenants.tenantOfConsignment(id),
            registered: model.tenants.registrationOrderOf(id),
          });
          for (const org of ORGS) {
            const shown = [
              ...model.flags.scan({ visible: (f) => flagOrganisations(f, standing).includes(org) }),
            ];
            expect({ org, count: counts.flagsOf(org) }).toEqual({ org, count: shown.length });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a document flag counts for the first citer only when it is about the first citer's own consignment, and for the later citer its own flags, shown to operators only", () => {
    const counts = new TenantUsage();
    [grant(0, 0), grant(1, 1), registration(0, 0), registration(1, 1), registration(2, 1)].forEach((e) =>
      counts.apply(stored(e)),
    );
    // C-1 (WFP) registered first; UNICEF's C-2 and C-3 cite its document.
    counts.apply(stored(flagRaisedEvent(flag(1, 'duplicate-document', ['C-1', 'C-2', 'C-3'], 'C-1'))));
    for (let n = 2; n < 50; n++)
      counts.apply(stored(flagRaisedEvent(flag(n, 'duplicate-document', ['C-1', 'C-2'], 'C-2'))));
    expect(counts.flagsOf('WFP')).toBe(1);
    expect(counts.flagsOf('UNICEF')).toBe(48);
  });

  it('a vessel flag naming two organisations’ consignments counts for both; an unowned one for none', () => {
    const counts = new TenantUsage();
    [grant(0, 0), grant(1, 1), registration(0, 0), registration(1, 1)].forEach((e) =>
      counts.apply(stored(e)),
    );
    counts.apply(stored(flagRaisedEvent(flag(1, 'encounter', ['C-1', 'C-2']))));
    counts.apply(stored(flagRaisedEvent(flag(2, 'encounter', ['C-5']))));
    expect([counts.flagsOf('WFP'), counts.flagsOf('UNICEF'), counts.flagsOf('FAO')]).toEqual([1, 1, 0]);
  });

  it("a raise an organisation's event caused costs that organisation alone, whoever it is about or shown to", () => {
    const counts = new TenantUsage();
    [grant(0, 0), grant(1, 1), registration(0, 0), registration(1, 1)].forEach((e) =>
      counts.apply(stored(e)),
    );
    // UNICEF's C-2 toggles citing WFP's document: each of its registrations raises a flag about WFP's C-1
    // (shown to WFP) and one about C-2 (shown to operators).
    for (let n = 0; n < 40; n += 2) {
      counts.apply(
        stored(flagRaisedEvent(flag(n, 'duplicate-document', ['C-1', 'C-2'], 'C-1')), {
          cause: 'consignment-C-2',
        }),
      );
      counts.apply(
        stored(flagRaisedEvent(flag(n + 1, 'duplicate-document', ['C-1', 'C-2'], 'C-2')), {
          cause: 'consignment-C-2',
        }),
      );
    }
    expect([counts.flagsOf('WFP'), counts.flagsOf('UNICEF')]).toEqual([0, 40]);
    // A committee amendment of WFP's exemption: WFP's; an AIS position: everyone it names, as shown.
    counts.apply(
      stored(flagRaisedEvent(flag(50, 'quantity-shrinkage', ['C-1'], 'C-1')), { cause: 'exemption-EX-1' }),
    );
    counts.apply(
      stored(flagRaisedEvent(flag(51, 'encounter', ['C-1', 'C-2'])), { cause: 'vessel-441000001' }),
    );
    expect([counts.flagsOf('WFP'), counts.flagsOf('UNICEF')]).toEqual([2, 41]);
  });

  it("counts the events of each organisation's consignments, once they are its", () => {
    const counts = new TenantUsage();
    [grant(0, 0), grant(1, 1), registration(0, 0), registration(1, 1)].forEach((e) =>
      counts.apply(stored(e)),
    );
    const load = (consignment: number, n: number) =>
      consignmentLoaded({
        id: `load-${consignment}-${n}`,
        subject: CONSIGNMENTS[consignment],
        data: { consignmentId: CONSIGNMENTS[consignment] },
      });
    for (let n = 0; n < 5; n++) counts.apply(stored(load(0, n)));
    counts.apply(stored(load(1, 0)));
    // A consignment no organisation holds yet (its registration not folded): nobody's.
    counts.apply(stored(load(3, 0)));
    // Each event weighs one, and one more per 2 KB of its data; grants are no organisation's.
    const weight = (event: { data: unknown }) => storedWeightOf(event.data);
    expect(weight(load(0, 0))).toBe(1);
    expect(storedWeightOf({ note: 'x'.repeat(5000) })).toBe(3);
    expect([counts.eventsOf('WFP'), counts.eventsOf('UNICEF'), counts.eventsOf('FAO')]).toEqual([
      weight(registration(0, 0)) + 5 * weight(load(0, 0)),
      weight(registration(1, 1)) + weight(load(1, 0)),
      0,
    ]);
  });
  describe('consignments aboard a vessel (one rule with detection)', () => {
    const at = (day: number) => new Date(Date.UTC(2024, 2, 1 + day)).toISOString();
    const on = (consignment: number, exemption: number, mmsi: string, n = 0) =>
      consignmentRegistered({
        id: `reg-${consignment}-${mmsi}-${n}`,
        time: at(n),
        subject: CONSIGNMENTS[consignment],
        data: {
          consignmentId: CONSIGNMENTS[consignment],
          exemptionId: EXEMPTIONS[exemption],
          vessel: { mmsi },
        },
      });
    const step = (make: typeof consignmentLoaded, consignment: number, mmsi: string, day: number) =>
      make({
        id: `${make.name}-${consignment}-${mmsi}-${day}`,
        time: at(day),
        subject: CONSIGNMENTS[consignment],
        data: { consignmentId: CONSIGNMENTS[consignment], vesselMmsi: mmsi, at: at(day) },
      });
    const load = (c: number, mmsi: string, day: number) => step(consignmentLoaded, c, mmsi, day);
    const discharge = (c: number, day: number) =>
      step(consignmentDischarged as unknown as typeof consignmentLoaded, c, '', day);
    const handover = (c: number, day: number) =>
      step(custodyTransferred as unknown as typeof consignmentLoaded, c, '', day);

    it('counts bound-for and aboard consignments; only a discharge after the load frees a place', () => {
      const counts = new TenantUsage();
      [grant(0, 0), grant(1, 1)].forEach((e) => counts.apply(stored(e)));
      [on(0, 0, '111'), on(1, 0, '111'), on(2, 1, '111')].forEach((e) => counts.apply(stored(e)));
      expect([counts.consignmentsAboard('WFP', '111'), counts.consignmentsAboard('UNICEF', '111')]).toEqual([
        2, 1,
      ]);
      counts.apply(stored(load(0, '111', 2)));
      expect(counts.consignmentsAboard('WFP', '111')).toBe(2);
      expect(counts.countsAboard(CONSIGNMENTS[0], '111')).toBe(true);
      // A discharge dated before the load, a custody transfer and a load onto another ship leave it aboard.
      [discharge(0, 1), handover(0, 3), load(0, '222', 4)].forEach((e) => counts.apply(stored(e)));
      expect(counts.consignmentsAboard('WFP', '111')).toBe(2);
      expect(counts.countsAboard(CONSIGNMENTS[0], '111')).toBe(true);
      // Re-registered elsewhere while aboard: still aboard '111' (detection still names it there).
      counts.apply(stored(on(0, 0, '333', 5)));
      expect(counts.consignmentsAboard('WFP', '111')).toBe(2);
      // A discharge dated after the load closes its window; a redelivery changes nothing.
      counts.apply(stored(discharge(0, 6)));
      counts.apply(stored(discharge(0, 6)));
      expect(counts.countsAboard(CONSIGNMENTS[0], '111')).toBe(false);
      // Closed windows still count at their moment: C-2 loaded during C-1's window makes two at once.
      counts.apply(stored(load(1, '111', 3)));
      expect(counts.consignmentsAboard('WFP', '111')).toBe(2);
      expect(counts.consignmentsAboard('UNICEF', '111')).toBe(1);
      // A bound-for consignment re-registered elsewhere is no longer bound for '111'.
      counts.apply(stored(on(2, 1, '444', 1)));
      expect(counts.consignmentsAboard('UNICEF', '111')).toBe(0);
      expect(counts.consignmentsAboard('UNICEF', '444')).toBe(1);
    });

    it('an event id sent again (from another source too) with other content changes nothing, as in detection', () => {
      const counts = new TenantUsage();
      counts.apply(stored(grant(0, 0)));
      const again = <E extends { source: string; data: object; time: string }>(
        e: E,
        data: object,
        time = e.time,
      ) => ({
        ...e,
        source: '/org/wfp/field/dprk',
        time,
        data: { ...e.data, ...data },
      });
      const reg = on(0, 0, '111');
      const loaded = load(0, '111', 2);
      const early = discharge(0, 1);
      [reg, loaded, early].forEach((e) => counts.apply(stored(e)));
      expect(counts.countsAboard(CONSIGNMENTS[0], '111')).toBe(true);
      // The discharge's id again, dated after the load: detection keeps the first (before the load).
      counts.apply(stored(again(early, { at: at(3) })));
      // The load's id again onto another ship; the registration's id again naming another ship, later.
      counts.apply(stored(again(loaded, { vesselMmsi: '222' })));
      counts.apply(stored(again(reg, { vessel: { mmsi: '333' } }, at(5))));
      expect(counts.countsAboard(CONSIGNMENTS[0], '111')).toBe(true);
      expect(counts.consignmentsAboard('WFP', '111')).toBe(1);
      expect(counts.registeredVesselOf(CONSIGNMENTS[0])).toBe('111');
    });

    it('a window closed in the past still counts at its moment: cycling consignments through frees nothing', () => {
      const counts = new TenantUsage();
      counts.apply(stored(grant(0, 0)));
      for (let c = 0; c < CONSIGNMENTS.length; c++) {
        [on(c, 0, '111'), load(c, '111', 1), discharge(c, 2)].forEach((e) => counts.apply(stored(e)));
      }
      expect(counts.consignmentsAboard('WFP', '111')).toBe(CONSIGNMENTS.length);
    });

    it('is never below the most consignments detection names aboard at one moment (property)', () => {
      const mmsis = ['111', '222'];
      const eventArb = fc.oneof(
        fc.record({ kind: fc.constant('register' as const), c: fc.nat(4), m: fc.nat(1), day: fc.nat(9) }),
        fc.record({ kind: fc.constant('load' as const), c: fc.nat(4), m: fc.nat(1), day: fc.nat(9) }),
        fc.record({ kind: fc.constant('discharge' as const), c: fc.nat(4), m: fc.nat(1), day: fc.nat(9) }),
        fc.record({ kind: fc.constant('handover' as const), c: fc.nat(4), m: fc.nat(1), day: fc.nat(9) }),
        fc.record({ kind: fc.constant('depart' as const), c: fc.nat(4), m: fc.nat(1), day: fc.nat(9) }),
        // An earlier event's id again, from another source, with another time and vessel.
        fc.record({ kind: fc.constant('again' as const), c: fc.nat(40), m: fc.nat(1), day: fc.nat(9) }),
      );
      fc.assert(
        fc.property(fc.array(eventArb, { maxLength: 30 }), (steps) => {
          const counts = new TenantUsage();
          const state = new DiversionState();
          const feed = (e: AidEvent) => {
            counts.apply(stored(e));
            state.apply(e);
          };
          feed(grant(0, 0));
          // Every consignment registered first, so all count for one organisation.
          for (let c = 0; c < CONSIGNMENTS.length; c++) feed(on(c, 0, '111'));
          const sent: AidEvent[] = [];
          steps.forEach((s, n) => {
            let e: AidEvent;
            if (s.kind === 'again') {
              if (sent.length === 0) return;
              const earlier = sent[s.c % sent.length] as AidEvent & { data: Record<string, unknown> };
              const data = { ...earlier.data, at: at(s.day) } as Record<string, unknown>;
              if ('vesselMmsi' in data) data.vesselMmsi = mmsis[s.m];
              if ('vessel' in data) data.vessel = { mmsi: mmsis[s.m] };
              e = {
                ...earlier,
                source: '/org/wfp/field/dprk',
                time: at(s.day + 20),
                data,
              } as unknown as AidEvent;
            } else
              e = (
                s.kind === 'register'
                  ? on(s.c, 0, mmsis[s.m], n + 1)
                  : s.kind === 'load'
                    ? load(s.c, mmsis[s.m], s.day)
                    : s.kind === 'discharge'
                      ? discharge(s.c, s.day)
                      : s.kind === 'depart'
                        ? step(consignmentDeparted as unknown as typeof consignmentLoaded, s.c, '', s.day)
                        : handover(s.c, s.day)
              ) as AidEvent;
            sent.push(e);
            feed(e);
          });
          for (const mmsi of mmsis) {
            let most = 0;
            for (let day = -1; day <= 31; day++)
              most = Math.max(most, state.onBoard(mmsi, Date.parse(at(day))).length);
            expect(counts.consignmentsAboard('WFP', mmsi)).toBeGreaterThanOrEqual(most);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('TenantUsage and detection stand a consignment alike after every catalogue row', () => {
  const c = SampleIds.consignmentId;
  const mmsi = SampleIds.vesselMmsi;
  const sampleOf = (type: string, n: number) =>
    ({
      ...(SampleBuilders[type as keyof typeof SampleBuilders] as () => AidEvent)(),
      id: `row-${n}`,
    }) as AidEvent;
  const registered = consignmentRegistered();
  const loaded = consignmentLoaded();

  it.each(CatalogueEntries.map((e, n) => [e.type, n] as const))('%s', (type, n) => {
    for (const before of [[registered], [registered, loaded]]) {
      const counts = new TenantUsage();
      const state = new DiversionState();
      for (const e of [exemptionGranted(), ...before, sampleOf(type, n)]) {
        counts.apply(stored(e));
        state.apply(e);
      }
      expect(counts.countsAboard(c, mmsi)).toBe(state.standingOn(c, mmsi) !== 'done');
      // The aboard rule reads exactly the rows with a `carriage`.
      expect(counts.carriageEventsOf(c)).toBe(before.length + (AboardEventKinds.has(type) ? 1 : 0));
    }
  });
});
