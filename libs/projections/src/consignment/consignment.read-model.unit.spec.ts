import fc from 'fast-check';
import {
  CatalogueEntries,
  storeEventId,
  streamOf,
  subjectOfEvent,
  type AidEvent,
  type Flag,
} from '@aidwatch/domain';
import { consignmentToJson, emptyConsignment, emptyExemption, exemptionToJson } from '@aidwatch/detection';
import {
  accessDenied,
  consignmentArrived,
  consignmentDeparted,
  consignmentDischarged,
  consignmentLoaded,
  consignmentRegistered,
  custodyTransferred,
  deliveryRecorded,
  exemptionGranted,
  SampleBuilders,
  SampleIds,
  verificationReported,
} from '@aidwatch/domain/testing';
import type { StoredEvent } from '@aidwatch/event-store';
import { flagClearedEvent, flagRaisedEvent } from '../flag-events';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20260521;
import {
  consignmentDocument,
  consignmentReadModelFromJson,
  consignmentReadModelFilter,
  consignmentReadModelToJson,
  evolve,
  evolveNoting,
  initialConsignmentReadModel,
} from './consignment.read-model';

let position = 0;
const stored = (
  event: AidEvent | ReturnType<typeof flagRaisedEvent> | ReturnType<typeof flagClearedEvent>,
  streamId?: string,
): StoredEvent => ({
  id: storeEventId(event),
  type: event.type,
  streamId: streamId ?? streamOf(event as AidEvent),
  revision: 0,
  position: String(++position),
  data: event,
  metadata: {},
  recordedAt: '2024-04-01T00:00:00.000Z',
});
const given = (...events: StoredEvent[]) => events.reduce(evolve, initialConsignmentReadModel());

const flag = (overrides: Partial<Flag> = {}): Flag => ({
  flagId: 'flag-shrink',
  fingerprint: 'quantity-shrinkage|CSG',
  rule: 'quantity-shrinkage',
  severity: 'high',
  subject: { kind: 'consignment', id: SampleIds.consignmentId },
  consignmentIds: [SampleIds.consignmentId],
  observed: {},
  threshold: {},
  evidence: [],
  explanation: 'Discharged 10 % less than loaded.',
  raisedAt: '2024-03-08T10:00:00Z',
  ...overrides,
});
const raised = (f: Flag) => stored(flagRaisedEvent(f), `risk-${f.subject.kind}-${f.subject.id}`);

describe('the consignment read model', () => {
  it('given the exemption and the voyage, shows status, vessel and quantities per step, risk none', () => {
    const state = given(
      stored(exemptionGranted()),
      stored(consignmentRegistered()),
      stored(consignmentLoaded()),
      stored(consignmentDischarged()),
    );
    const doc = consignmentDocument(state, SampleIds.consignmentId);
    expect(doc).toMatchObject({
      consignmentId: SampleIds.consignmentId,
      exemptionId: SampleIds.exemptionId,
      held: false,
      status: 'discharged',
      vessel: { mmsi: SampleIds.vesselMmsi },
      risk: 'none',
      flags: [],
    });
    expect(doc?.items.find((i) => i.itemCode === 'RUTF')).toMatchObject({
      registered: 4000,
      loaded: 4000,
      discharged: 3990,
      exempted: true,
    });
  });

  it('takes risk from flag events only: a vessel flag naming the consignment raises it, a clearing lowers it', () => {
    const vesselFlag = flag({
      flagId: 'flag-gap',
      rule: 'ais-gap',
      severity: 'critical',
      subject: { kind: 'vessel', id: SampleIds.vesselMmsi },
    });
    const state = given(stored(consignmentRegistered()), raised(flag()), raised(vesselFlag));
    expect(consignmentDocument(state, SampleIds.consignmentId)).toMatchObject({ risk: 'critical' });
    expect(consignmentDocument(state, SampleIds.consignmentId)?.flags.map((f) => f.flagId)).toEqual([
      'flag-shrink',
      'flag-gap',
    ]);

    const { flagId, fingerprint, rule, subject, consignmentIds } = vesselFlag;
    evolve(
      state,
      stored(
        flagClearedEvent({
          flagId,
          fingerprint,
          rule,
          subject,
          consignmentIds,
          reason: 'positions resumed',
          evidence: [],
          clearedAt: '2024-03-09T00:00:00Z',
        }),
        'risk-vessel-x',
      ),
    );
    expect(consignmentDocument(state, SampleIds.consignmentId)).toMatchObject({ risk: 'high' });
  });

  it('runs no rule: a shrinking discharge without a flag event is not a risk', () => {
    const state = given(
      stored(exemptionGranted()),
      stored(consignmentRegistered()),
      stored(consignmentLoaded()),
      stored(consignmentDischarged({ data: { items: [{ itemCode: 'RUTF', quantity: 10 }] } })),
    );
    expect(consignmentDocument(state, SampleIds.consignmentId)).toMatchObject({ risk: 'none', flags: [] });
  });

  it('a consignment whose exemption is not known yet is held; an unknown one has no document', () => {
    const state = given(stored(consignmentRegistered()));
    expect(consignmentDocument(state, SampleIds.consignmentId)).toMatchObject({
      held: true,
      status: 'registered',
    });
    expect(consignmentDocument(state, 'CSG-unknown')).toBeUndefined();
  });

  it('a redelivered event changes nothing, and the state survives a JSON round trip', () => {
    const events = [
      stored(exemptionGranted()),
      stored(consignmentRegistered()),
      stored(consignmentLoaded()),
      raised(flag()),
    ];
    const once = given(...events);
    const twice = given(...events, ...events);
    const json = consignmentReadModelToJson(once);
    expect(consignmentReadModelToJson(twice)).toEqual(json);
    const restored = consignmentReadModelFromJson(JSON.parse(JSON.stringify(json)));
    expect(consignmentDocument(restored, SampleIds.consignmentId)).toEqual(
      consignmentDocument(once, SampleIds.consignmentId),
    );
  });

  it('a consignment with facts but no registration is unregistered and held, its quantities shown', () => {
    const state = given(
      stored(exemptionGranted()),
      stored(consignmentLoaded()),
      stored(deliveryRecorded()),
      stored(verificationReported()),
    );
    const doc = consignmentDocument(state, SampleIds.consignmentId);
    expect(doc).toMatchObject({
      status: 'unregistered',
      held: true,
      exemptionId: null,
      vessel: null,
      billOfLading: null,
    });
    expect(doc?.items.find((i) => i.itemCode === 'RUTF')).toMatchObject({
      registered: null,
      loaded: 4000,
      delivered: 1200,
      verified: 1180,
      exempted: null,
    });
  });

  it('an unregistered consignment takes its normal state the moment its registration arrives', () => {
    const state = given(
      stored(exemptionGranted()),
      stored(deliveryRecorded()),
      stored(verificationReported()),
    );
    expect(consignmentDocument(state, SampleIds.consignmentId)?.status).toBe('unregistered');
    evolve(state, stored(consignmentRegistered()));
    expect(consignmentDocument(state, SampleIds.consignmentId)).toMatchObject({
      status: 'verified',
      held: false,
      exemptionId: SampleIds.exemptionId,
    });
  });

  it('shows the same document whatever order a consignment’s events come in, unregistered until its registration', () => {
    const events = [
      stored(exemptionGranted()),
      stored(consignmentRegistered()),
      stored(consignmentLoaded()),
      stored(consignmentDeparted()),
      stored(consignmentArrived()),
      stored(consignmentDischarged()),
      stored(custodyTransferred()),
      stored(deliveryRecorded()),
      stored(deliveryRecorded({ id: 'delivery-recorded-0117-2', data: { deliveryId: 'DLV-0117-2' } })),
      stored(verificationReported()),
      stored(accessDenied()),
      raised(flag()),
    ];
    const registration = events[1];
    const inOrder = consignmentDocument(given(...events), SampleIds.consignmentId);
    expect(inOrder).toMatchObject({ status: 'verified', held: false, risk: 'high' });
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        (order) => {
          const state = initialConsignmentReadModel();
          let registered = false;
          for (const e of order) {
            evolve(state, e);
            registered ||= e === registration;
            const doc = consignmentDocument(state, SampleIds.consignmentId);
            if (doc) expect(doc.status === 'unregistered').toBe(!registered);
          }
          expect(consignmentDocument(state, SampleIds.consignmentId)).toEqual(inOrder);
        },
      ),
      { seed, numRuns: 300 },
    );
  });
});

describe('the consignment read model folds every catalogue row about a consignment or an exemption', () => {
  const sampleOf = (type: string) =>
    (SampleBuilders[type as keyof typeof SampleBuilders] as () => AidEvent)();

  it.each(CatalogueEntries.map((e) => [e.type, e.subject.kinds.join('|')] as const))(
    '%s (about: %s)',
    (type) => {
      const event = sampleOf(type);
      const subject = subjectOfEvent(event)!;
      const state = initialConsignmentReadModel();
      const change = evolveNoting(state, stored(event));
      const read = consignmentReadModelFilter.streamPrefixes!.some((p) => streamOf(event).startsWith(p));
      if (subject.kind === 'consignment') {
        expect(change).toEqual({ consignmentId: subject.id });
        // The fold has a case for it: its facts are no longer those of an empty consignment.
        expect(consignmentToJson(state.consignments.get(subject.id)!)).not.toEqual(
          consignmentToJson(emptyConsignment(subject.id)),
        );
      } else if (subject.kind === 'exemption') {
        expect(change).toEqual({ exemptionId: subject.id });
        expect(exemptionToJson(state.exemptions.get(subject.id)!)).not.toEqual(
          exemptionToJson(emptyExemption(subject.id)),
        );
      } else expect(change).toBeUndefined();
      // The filter reads exactly the streams of what it folds.
      expect(read).toBe(change !== undefined);
    },
  );
});
