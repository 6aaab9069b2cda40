import fc from 'fast-check';
import {
  AboardEventKinds,
  CarriageDirections,
  CarriageEventKinds,
  CatalogueEntries,
  consignmentIdOfEvent,
  recordKeyOfEvent,
  streamOf,
  subjectOfEvent,
  typesConsumedBy,
  type CatalogueEntry,
} from './event-catalogue';
import { EventTypes, SupersededEventTypes } from './event-types';
import {
  EventTable,
  familyPrefixOf,
  InternalCatalogueEntries,
  InternalEventTypes,
  subjectOfStoredEvent,
  typePrefixesFoldedBy,
  NotificationEventPrefixes,
  RetentionCitingEventPrefixes,
  eventRowOf,
} from './internal-event-catalogue';
import { OWNERSHIP_EVENT_PREFIX } from './ownership';
import { StreamNames } from './streams';
import { SampleBuilders } from './testing/samples';
import { dataSchemaOf } from './validation/json-schemas';
import type { AidEvent } from './events';

const samples = (): AidEvent[] => CatalogueEntries.map((e) => (SampleBuilders[e.type] as () => AidEvent)());

/** Object keys of `data` as a schema lists them (`properties`, also inside `allOf`). */
function propertiesOf(schema: Record<string, unknown>): Record<string, { type?: unknown }> {
  const own = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const parts = ((schema.allOf as Record<string, unknown>[] | undefined) ?? []).map(propertiesOf);
  return Object.assign({}, own, ...parts);
}

describe('derived lists keep what the hand-kept lists said', () => {
  it('carriage: registered, loaded, departed, discharged (the detection engine corridor replays)', () => {
    expect([...CarriageEventKinds]).toEqual([
      [EventTypes.ConsignmentRegistered, 'registered'],
      [EventTypes.ConsignmentLoaded, 'loaded'],
      [EventTypes.ConsignmentDeparted, 'departed'],
      [EventTypes.ConsignmentDischarged, 'discharged'],
    ]);
  });

  it('aboard rule: the carriage types, then custody transfers and deliveries (no longer bound for a vessel)', () => {
    expect([...AboardEventKinds]).toEqual([
      ...CarriageEventKinds,
      [EventTypes.CustodyTransferred, 'handed-over'],
      [EventTypes.DeliveryRecorded, 'delivered'],
    ]);
  });

  it('consignment subject: exactly the nine consignment, delivery and verification types', () => {
    const withConsignment = samples()
      .filter((e) => consignmentIdOfEvent(e) !== undefined)
      .map((e) => e.type);
    expect(withConsignment).toEqual([
      EventTypes.ConsignmentRegistered,
      EventTypes.ConsignmentLoaded,
      EventTypes.ConsignmentDeparted,
      EventTypes.ConsignmentArrived,
      EventTypes.ConsignmentDischarged,
      EventTypes.CustodyTransferred,
      EventTypes.DeliveryRecorded,
      EventTypes.VerificationReported,
      EventTypes.AccessDenied,
    ]);
    for (const e of samples())
      if (consignmentIdOfEvent(e) !== undefined)
        expect(consignmentIdOfEvent(e)).toBe((e.data as { consignmentId: string }).consignmentId);
  });

  it('consignment subject: undefined for a type without an inbound row', () => {
    expect(consignmentIdOfEvent({ type: EventTypes.FlagRaised, data: {} } as never)).toBeUndefined();
    expect(subjectOfEvent({ type: 'aidwatch.unknown.v1', data: {} } as never)).toBeUndefined();
  });

  it('diversion change keys: exemption, port and consignment subjects of what the diversion detector folds', () => {
    const keys = samples()
      // A close or a bound moves the detector's clocks and changes no subject (it returns before noting changes).
      .filter(
        (e) =>
          typesConsumedBy('diversion').has(e.type) &&
          e.type !== EventTypes.InputClosed &&
          e.type !== EventTypes.InputBounded,
      )
      .map((e) => {
        const s = subjectOfEvent(e)!;
        return [e.type, `${s.kind}:${s.id}`];
      });
    expect(keys).toEqual(
      samples()
        .map((e): [string, string | undefined] => {
          const d = e.data as { exemptionId?: string; locode?: string; consignmentId?: string };
          switch (e.type) {
            case EventTypes.ExemptionGranted:
            case EventTypes.ExemptionRevoked:
              return [e.type, `exemption:${d.exemptionId}`];
            case EventTypes.PortDeclared:
              return [e.type, `port:${d.locode}`];
            default:
              return [e.type, d.consignmentId === undefined ? undefined : `consignment:${d.consignmentId}`];
          }
        })
        .filter((pair) => pair[1] !== undefined),
    );
  });

  it('personal fields: monitorId of verifications and access denials, receivedBy of deliveries', () => {
    const personal = Object.fromEntries(
      EventTable.filter((r) => r.personalFields?.length).map((r) => [r.type, r.personalFields]),
    );
    expect(personal).toEqual({
      [EventTypes.VerificationReported]: [{ field: 'monitorId', kind: 'monitor' }],
      [EventTypes.AccessDenied]: [{ field: 'monitorId', kind: 'monitor' }],
      [EventTypes.DeliveryRecorded]: [{ field: 'receivedBy', kind: 'recipient' }],
    });
  });

  it('alert book: flag, alert, silence and ownership families, registrations, grants and positions', () => {
    // A prefix filter: the order of its entries does not matter.
    expect([...typePrefixesFoldedBy('alert-book')].sort()).toEqual(
      [
        'aidwatch.flag.',
        'aidwatch.alert.',
        'aidwatch.silence.',
        OWNERSHIP_EVENT_PREFIX,
        EventTypes.ConsignmentRegistered,
        EventTypes.ExemptionGranted,
        EventTypes.VesselPositionReported,
      ].sort(),
    );
  });
});

describe('what notifications deliver and what keeps positions, from the rows', () => {
  it('notifications (alert relay, webhook outbox, alert stream): flags and the alert lifecycle', () => {
    expect([...NotificationEventPrefixes].sort()).toEqual(['aidwatch.alert.', 'aidwatch.flag.']);
  });
  it('retention: flags of every version cite the evidence kept', () => {
    expect(RetentionCitingEventPrefixes).toEqual(['aidwatch.flag.']);
    expect(eventRowOf('aidwatch.flag.raised.v1')?.views).toContain('retention');
  });
});

describe('the event table is consistent', () => {
  it('has one row per type, inbound or written by AidWatch, and no type is both', () => {
    const types = EventTable.map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
    expect(types).toEqual([...CatalogueEntries.map((e) => e.type), ...Object.values(InternalEventTypes)]);
    for (const row of InternalCatalogueEntries) {
      expect(row.writtenBy).toBe('aidwatch');
      expect(row).not.toHaveProperty('dto');
      expect(row).not.toHaveProperty('writers');
    }
  });

  it('every type AidWatch writes or publishes has a row (flags, superseded flags, lifecycle, audit)', () => {
    for (const type of [
      EventTypes.FlagRaised,
      EventTypes.FlagCleared,
      SupersededEventTypes.FlagRaisedV1,
      InternalEventTypes.AlertResolved,
      InternalEventTypes.SilenceCreated,
      InternalEventTypes.OwnershipTransferred,
      InternalEventTypes.OwnershipPrefixClaimed,
      InternalEventTypes.SilenceReserved,
      InternalEventTypes.AuditCheckpoint,
      InternalEventTypes.PositionsArchived,
      EventTypes.InputClosed,
    ])
      expect(EventTable.some((r) => r.type === type)).toBe(true);
  });

  it('an inbound subject names a stream and is the record key', () => {
    for (const e of samples()) {
      const s = subjectOfEvent(e)!;
      const row = CatalogueEntries.find((r) => r.type === e.type)!;
      expect(row.subject.kinds).toContain(s.kind);
      expect(Object.keys(StreamNames)).toContain(s.kind);
      expect(recordKeyOfEvent(e)).toBe(s.id);
      expect(streamOf(e)).toBe(StreamNames[s.kind as 'consignment'](s.id));
    }
  });

  it('every carriage type is about a consignment; those moving aid onto or off a vessel are the carriage kinds', () => {
    expect(CarriageEventKinds.size).toBeGreaterThan(0);
    for (const [type, kind] of AboardEventKinds) {
      const row = CatalogueEntries.find((r) => r.type === type) as CatalogueEntry;
      expect(row.subject.kinds).toEqual(['consignment']);
      expect(CarriageEventKinds.has(type)).toBe(CarriageDirections[kind] !== 'ends');
    }
  });

  it('every personal field is a string property of its type data schema', () => {
    for (const row of CatalogueEntries)
      for (const { field } of row.personalFields ?? []) {
        const properties = propertiesOf(dataSchemaOf(row.type));
        expect({ type: row.type, field, schema: properties[field]?.type }).toEqual({
          type: row.type,
          field,
          schema: 'string',
        });
      }
  });

  it('rows AidWatch writes itself name no personal fields (a flag names no person)', () => {
    for (const row of InternalCatalogueEntries) expect(row.personalFields ?? []).toEqual([]);
  });

  it('a stored view folds each row it lists: every folded type starts with one of its prefixes', () => {
    const prefixes = typePrefixesFoldedBy('alert-book');
    for (const row of EventTable)
      expect(prefixes.some((p) => row.type.startsWith(p))).toBe(row.views?.includes('alert-book') ?? false);
  });

  it('subjects of what AidWatch writes: flags and transfers name their kind, alerts and silences their id', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('consignment' as const, 'vessel' as const),
        fc.string({ minLength: 1 }),
        (kind, id) => {
          for (const type of [
            EventTypes.FlagRaised,
            EventTypes.FlagCleared,
            SupersededEventTypes.FlagRaisedV1,
          ])
            expect(subjectOfStoredEvent({ type, data: { subject: { kind, id } } })).toEqual({ kind, id });
          expect(
            subjectOfStoredEvent({ type: InternalEventTypes.AlertAssigned, data: { alertId: id } }),
          ).toEqual({ kind: 'alert', id });
          expect(
            subjectOfStoredEvent({
              type: InternalEventTypes.OwnershipTransferred,
              data: { kind: 'consignment', consignmentId: id, fromExemptionId: 'a', toExemptionId: 'b' },
            }),
          ).toEqual({ kind: 'consignment', id });
        },
      ),
    );
    expect(familyPrefixOf(InternalEventTypes.SilenceExpired)).toBe('aidwatch.silence.');
  });
});
