import type { AidEvent } from '../events';
import * as sample from '../testing/samples';
import { InboundEventTypes } from './event-data.dtos';
import { validateCloudEvent } from './validate-cloud-event';
import { validateInboundEvent } from './compiled-event-validator';
import { decodeKafkaMessage } from './kafka-message.decoder';

function fieldsRejected(input: unknown): string[] {
  const result = validateCloudEvent(input);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.errors.map((e) => e.field);
}

/** Sets a value at a dotted path of a deep copy, to build shapes the sample builders' types forbid. */
function withField(event: AidEvent, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(event) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return copy;
}

describe('validateCloudEvent', () => {
  describe('given a well-formed sample of each inbound type', () => {
    it.each(InboundEventTypes)('accepts %s and returns the event itself', (type) => {
      const event = sample.SampleBuilders[type]();
      const result = validateCloudEvent(event);
      expect(result).toEqual({ ok: true, event });
      if (result.ok) expect(result.event).toBe(event);
    });
  });

  describe('given an event with one bad field, it names that field by its dotted path', () => {
    type Case = [story: string, event: AidEvent, field: string, value: unknown, message: string];
    const bad = (build: () => AidEvent, field: string, value: unknown, message: string): Case => {
      const event = build();
      return [`${event.type} with ${field} = ${JSON.stringify(value)}`, event, field, value, message];
    };
    const cases: Case[] = [
      bad(sample.exemptionGranted, 'data.validUntil', '2024-02-01T00:00:00Z', 'must not be before validFrom'),
      bad(sample.exemptionGranted, 'data.items.1.quantity', -5, 'between 0 and'),
      // Bounded: sums stay finite (an item line of 1e308 summed to infinity).
      bad(sample.consignmentRegistered, 'data.items.0.quantity', 1e308, 'between 0 and 1000000000000'),
      bad(sample.exemptionGranted, 'data.sites.0.lat', 95, 'between -90 and 90'),
      bad(sample.exemptionGranted, 'data.items.0.hsCode', 'food', 'HS code'),
      bad(sample.exemptionGranted, 'data.items', [], 'must not be empty'),
      bad(sample.exemptionRevoked, 'data.at', '2024-06-01T12:00:00', 'RFC 3339'),
      bad(sample.vesselDesignated, 'data.imo', '912345', '7-digit IMO'),
      bad(sample.vesselDesignated, 'data.mmsi', 352001234, '9-digit MMSI'),
      bad(sample.vesselDesignated, 'data.aliases', ['SONG RIM', ' '], 'non-empty strings'),
      // Lists are bounded (ListLimits): one event must not raise thousands of flags.
      bad(
        sample.consignmentRegistered,
        'data.items',
        Array.from({ length: 501 }, (_, i) => ({ itemCode: `X${i}`, quantity: 1, unit: 't' })),
        'at most 500 entries',
      ),
      bad(
        sample.consignmentRegistered,
        'data.route',
        Array.from({ length: 1001 }, () => ({ lat: 1, lon: 1 })),
        'at most 1000 entries',
      ),
      bad(
        sample.vesselDesignated,
        'data.aliases',
        Array.from({ length: 101 }, (_, i) => `NAME ${i}`),
        'at most 100 non-empty strings',
      ),
      bad(
        sample.verificationReported,
        'data.evidence',
        Array.from({ length: 101 }, () => 'a'.repeat(64)),
        'at most 100 SHA-256',
      ),
      bad(sample.vesselDesignationRevoked, 'data.reason', '', 'non-empty string'),
      bad(sample.portDeclared, 'data.locode', 'Nampo', 'UN/LOCODE'),
      bad(sample.portDeclared, 'data.lon', 181, 'between -180 and 180'),
      bad(sample.consignmentRegistered, 'data.vessel.mmsi', '44512300', '9-digit MMSI'),
      bad(sample.consignmentRegistered, 'data.vessel', 'CHON MA SAN', 'must be an object'),
      bad(sample.consignmentRegistered, 'data.route.1.lat', -91, 'between -90 and 90'),
      bad(sample.consignmentRegistered, 'data.originPort', undefined, 'UN/LOCODE'),
      bad(sample.consignmentRegistered, 'data.items.1.unit', undefined, 'non-empty string'),
      bad(sample.consignmentLoaded, 'data.items.0.quantity', '4000', 'must be a number'),
      bad(sample.consignmentLoaded, 'data.items.1', 'RUTF', 'must be an object'),
      bad(sample.consignmentLoaded, 'data.items', 'RUTF x 4000', 'must be an array'),
      bad(sample.consignmentLoaded, 'data.vesselMmsi', 'CHONMASAN', '9-digit MMSI'),
      bad(sample.consignmentDeparted, 'data.port', '', 'UN/LOCODE'),
      bad(sample.consignmentArrived, 'data.at', '2024-02-30T08:15:00Z', 'RFC 3339'),
      bad(sample.consignmentDischarged, 'data.items.0.itemCode', '  ', 'non-empty string'),
      bad(sample.custodyTransferred, 'data.documentHash', 'abc123', 'SHA-256'),
      bad(sample.custodyTransferred, 'data.to', undefined, 'non-empty string'),
      bad(sample.deliveryRecorded, 'data.lat', '38.5', 'between -90 and 90'),
      bad(sample.deliveryRecorded, 'data.receivedBy', undefined, 'non-empty string'),
      bad(sample.verificationReported, 'data.finding', 'ok', 'consistent, discrepancy'),
      bad(sample.verificationReported, 'data.evidence', ['IMG_2031.jpg'], 'SHA-256'),
      bad(sample.verificationReported, 'data.beneficiaries', 12.5, 'integer'),
      bad(sample.accessDenied, 'data.reason', undefined, 'non-empty string'),
      bad(sample.vesselPosition, 'data.sog', 102.3, 'between 0 and 102.2'),
      bad(sample.vesselPosition, 'data.heading', 360, 'or 511'),
      bad(sample.vesselPosition, 'data.cog', 361, 'between 0 and 360'),
      bad(sample.vesselPosition, 'data.cog', null, 'between 0 and 360'),
      bad(sample.vesselPosition, 'data.navStatus', 16, 'between 0 and 15'),
      bad(sample.vesselPosition, 'data.lat', 91, 'between -90 and 90'),
      bad(sample.vesselStatic, 'data.draught', 25.6, 'between 0 and 25.5'),
      bad(sample.vesselStatic, 'data.imo', 'IMO8712348', '7-digit IMO'),
      bad(sample.vesselStatic, 'data.shipType', 300, 'between 0 and 255'),
      bad(sample.inputClosed, 'data.at', '2024-03-31', 'RFC 3339'),
      bad(sample.inputClosed, 'data.source', '/ais/satellite/other', 'must be the event source'),
      bad(sample.inputBounded, 'data.source', '/ais/satellite/other', 'must be the event source'),
    ];

    it.each(cases)('%s', (_story, event, path, value, message) => {
      const result = validateCloudEvent(withField(event, path, value));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toEqual([{ field: path, message: expect.stringContaining(message) }]);
      expect(result.errors[0].message.startsWith(path)).toBe(true);
    });

    it('covers every inbound type with at least one rejected sample', () => {
      const typesCovered = new Set(cases.map(([, event]) => event.type));
      expect([...typesCovered].sort()).toEqual([...InboundEventTypes].sort());
    });
  });

  describe('values at the edges of the AIS ranges', () => {
    it.each([
      ['heading 511 (not available)', { heading: 511 }],
      ['heading 0 and course 360', { heading: 0, cog: 360 }],
      ['speed 102.2 kn', { sog: 102.2 }],
      ['optional fields left out', { cog: undefined, heading: undefined, navStatus: undefined }],
    ])('accepts %s', (_story, data) => {
      const event = sample.vesselPosition({ data });
      expect(validateCloudEvent(JSON.parse(JSON.stringify(event))).ok).toBe(true);
    });

    it('accepts an IMO whose check digit is wrong: flagging it is a detector’s job', () => {
      expect(validateCloudEvent(sample.vesselStatic({ data: { imo: '1234567' } })).ok).toBe(true);
    });

    it('accepts a time with a numeric offset as well as Z', () => {
      const event = sample.consignmentArrived({ time: '2024-03-07T08:15:00.250+09:00' });
      expect(validateCloudEvent(event).ok).toBe(true);
    });
  });

  describe('the envelope', () => {
    it.each([
      ['specversion 0.3', 'specversion', '0.3'],
      ['no id', 'id', undefined],
      ['an empty source', 'source', ''],
      ['a time with no zone', 'time', '2024-03-06T04:00:05'],
      ['a date without a time', 'time', '2024-03-06'],
      ['a numeric subject', 'subject', 445123000],
      ['no data', 'data', undefined],
      ['data that is an array', 'data', [1, 2]],
    ])('rejects %s on field %s', (_story, field, value) => {
      expect(fieldsRejected(withField(sample.vesselPosition(), field, value))).toEqual([field]);
    });

    it('rejects an unknown type on field type and lists the accepted types', () => {
      const result = validateCloudEvent({
        ...sample.vesselPosition(),
        type: 'aidwatch.vessel.teleported.v1',
      });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0].field).toBe('type');
      for (const type of InboundEventTypes) expect(result.errors[0].message).toContain(type);
    });

    it('rejects outbound flag events as inbound input', () => {
      expect(fieldsRejected({ ...sample.vesselPosition(), type: 'aidwatch.flag.raised.v1' })).toEqual([
        'type',
      ]);
    });

    it('rejects anything that is not a JSON object', () => {
      expect(fieldsRejected([sample.vesselPosition()])).toEqual(['']);
      expect(fieldsRejected('{"specversion":"1.0"}')).toEqual(['']);
      expect(fieldsRejected(null)).toEqual(['']);
    });

    it('keeps extension attributes and unknown data fields untouched', () => {
      const event = sample.consignmentLoaded({
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        partitionkey: 'CSG-2024-0117',
        data: { sealNumbers: ['CN4471203'] } as never,
      });
      const before = structuredClone(event);
      const result = validateCloudEvent(event);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.event).toEqual(before);
      expect(result.event.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      expect((result.event.data as unknown as Record<string, unknown>).sealNumbers).toEqual(['CN4471203']);
    });
  });

  describe('the reason', () => {
    it('is one line naming the type, the id, the first problem and how many more there are', () => {
      const event = sample.vesselPosition({ id: 'ais-1', data: { lat: 91, sog: -1 } });
      const result = validateCloudEvent(event);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map((e) => e.field)).toEqual(['data.lat', 'data.sog']);
      expect(result.reason).toBe(
        "invalid aidwatch.vessel.position.v1 'ais-1': data.lat must be a number between -90 and 90 (and 1 more)",
      );
    });

    it('reports envelope and data problems together', () => {
      const event = withField(sample.deliveryRecorded({ data: { lon: 200 } }), 'time', 'yesterday');
      expect(fieldsRejected(event)).toEqual(['time', 'data.lon']);
    });
  });
});

describe('hostile input', () => {
  it('validates an event carrying "__proto__" keys by its real fields, without touching prototypes', () => {
    // "__proto__" is no valid attribute name (CloudEvents 1.0 §3.1.1), so the envelope names it; in data
    // it is an unknown field like any other.
    const text = JSON.stringify(sample.vesselPosition({ data: { lat: 91 } }))
      .replace('"specversion"', '"__proto__":{"polluted":true},"specversion"')
      .replace('"mmsi"', '"__proto__":{"polluted":true},"mmsi"');
    expect(fieldsRejected(JSON.parse(text))).toEqual(['__proto__', 'data.lat']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('fields named after members of Object.prototype', () => {
  const members = Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__');
  const events = Object.values(sample.SampleBuilders).map((build) => build());

  it.each(events.map((event) => [event.type, event]))(
    '%s: a data field so named is an unknown field, kept and unchecked',
    (_type, event) => {
      for (const name of members) {
        const input = structuredClone(event) as unknown as { data: Record<string, unknown> };
        Object.defineProperty(input.data, name, {
          value: 'x',
          enumerable: true,
          writable: true,
          configurable: true,
        });
        const result = validateCloudEvent(input);
        expect({ name, ok: result.ok, errors: result.ok ? [] : result.errors }).toEqual({
          name,
          ok: true,
          errors: [],
        });
        if (result.ok) expect(Object.getOwnPropertyDescriptor(result.event.data, name)?.value).toBe('x');
      }
    },
  );

  it('an extension attribute named "constructor" (a valid CloudEvents name) is accepted', () => {
    const input = { ...sample.vesselPosition(), constructor: 'x' };
    const result = validateCloudEvent(input);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('accepts own "constructor" keys at any depth, under declared and unknown fields, and still refuses a bad field', () => {
    const hostile = [
      '{"constructor":1}',
      '[{"constructor":{}}]',
      '{"a":{"constructor":"x"}}',
      '{"constructor":null}',
    ];
    for (const build of Object.values(sample.SampleBuilders)) {
      const event = build() as unknown as { type: string; data: Record<string, unknown> };
      // Every object and array of objects in data, and a field of its own.
      const places: Array<Record<string, unknown>> = [];
      const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value !== null && typeof value === 'object') {
          places.push(value as Record<string, unknown>);
          Object.values(value).forEach(walk);
        }
      };
      for (const text of hostile) {
        const input = structuredClone(event);
        places.length = 0;
        walk(input.data);
        for (const place of places) {
          Object.assign(place, { extra: JSON.parse(text) as unknown });
          Object.defineProperty(place, 'constructor', {
            value: JSON.parse(text),
            enumerable: true,
            writable: true,
          });
        }
        const result = validateCloudEvent(input);
        expect({ type: event.type, text, errors: result.ok ? [] : result.errors }).toEqual({
          type: event.type,
          text,
          errors: [],
        });
        // The same event with a bad time is refused for that, not thrown on.
        const bad = { ...input, time: 'yesterday' };
        expect(fieldsRejected(bad)).toEqual(['time']);
      }
    }
  });

  it('still checks the declared fields next to a "constructor" field', () => {
    const input = structuredClone(sample.vesselPosition({ data: { lat: 91 } })) as unknown as Record<
      string,
      unknown
    >;
    Object.defineProperty(input.data, 'constructor', { value: 'x', enumerable: true, writable: true });
    expect(fieldsRejected(input)).toEqual(['data.lat']);
  });
});

describe('validation that fails on its own input', () => {
  const throwing = () => {
    const event = structuredClone(sample.vesselPosition()) as unknown as { data: Record<string, unknown> };
    Object.defineProperty(event.data, 'lat', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    return event;
  };

  it('refuses the event with the reason instead of throwing (no 500, no crashed consumer)', () => {
    const result = validateCloudEvent(throwing());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        { field: '', message: expect.stringContaining('could not be validated (boom)') },
      ]);
      expect(result.reason).toContain('could not be validated');
    }
  });

  it('refuses it on the hot path too, and decoding a Kafka message whose headers cannot be read', () => {
    const hot = validateInboundEvent(throwing());
    expect(hot.ok).toBe(false);
    const headers = {};
    Object.defineProperty(headers, 'content-type', {
      enumerable: true,
      get() {
        throw new Error('unreadable header');
      },
    });
    const decoded = decodeKafkaMessage({
      topic: 'ais.positions.v1',
      value: Buffer.from('{}'),
      headers,
    } as never);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.errors[0].message).toContain('unreadable header');
  });
});
