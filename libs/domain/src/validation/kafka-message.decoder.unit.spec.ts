import { TopicEventTypes } from '../event-catalogue';
import { Topics } from '../event-types';
import type { AidEvent } from '../events';
import * as sample from '../testing/samples';
import { decodeKafkaMessage } from './kafka-message.decoder';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

function structured(event: unknown, topic: string = Topics.positions) {
  return {
    topic,
    value: json(event),
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
  };
}

/** The CloudEvents Kafka binding's binary mode: attributes as ce_ headers, data as the value. */
function binary(event: AidEvent, topic: string, extraHeaders: Record<string, string> = {}) {
  const { data, datacontenttype: _ignored, ...attributes } = event;
  const headers: Record<string, string | undefined> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(attributes)) headers[`ce_${name}`] = String(value);
  return { topic, value: json(data), headers: { ...headers, ...extraHeaders } };
}

function rejected(result: ReturnType<typeof decodeKafkaMessage>) {
  if (result.ok) throw new Error('expected the message to be rejected');
  return result;
}

describe('decodeKafkaMessage', () => {
  describe('structured mode', () => {
    it('decodes a whole event carried as the JSON value', () => {
      const event = sample.vesselPosition();
      expect(decodeKafkaMessage(structured(event))).toEqual({ ok: true, event });
    });

    it('decodes an event with no headers at all when the value has a specversion', () => {
      const event = sample.consignmentDeparted();
      const result = decodeKafkaMessage({ topic: Topics.consignments, value: json(event), headers: {} });
      expect(result).toEqual({ ok: true, event });
    });

    it('keeps extension attributes and unknown data fields', () => {
      const event = sample.verificationReported({
        traceparent: '00-abc-01',
        data: { weather: 'snow' } as never,
      });
      const result = decodeKafkaMessage(structured(event, Topics.verifications));
      expect(result.ok && result.event).toMatchObject({
        traceparent: '00-abc-01',
        data: { weather: 'snow' },
      });
    });

    it('rejects a value that is not JSON, saying so', () => {
      const result = rejected(
        decodeKafkaMessage({
          ...structured(sample.vesselPosition()),
          value: Buffer.from('{"specversion":"1.0",'),
        }),
      );
      expect(result.reason).toMatch(/^malformed JSON in the message value/);
      expect(result.errors).toEqual([{ field: 'value', message: expect.stringContaining('not valid JSON') }]);
    });

    it.each([
      ['a null value', null],
      ['an empty value', Buffer.alloc(0)],
    ])('rejects %s as empty', (_story, value) => {
      const result = rejected(decodeKafkaMessage({ ...structured(sample.vesselPosition()), value }));
      expect(result.reason).toMatch(/^empty message/);
      expect(result.errors[0].field).toBe('value');
    });

    it('rejects JSON that is not a CloudEvent', () => {
      const result = rejected(
        decodeKafkaMessage({
          topic: Topics.positions,
          value: json({ mmsi: '445123000', lat: 38.6 }),
          headers: {},
        }),
      );
      expect(result.reason).toMatch(/^not a CloudEvent/);
      expect(result.errors[0].field).toBe('specversion');
    });

    it('rejects an event format other than JSON', () => {
      const message = {
        ...structured(sample.vesselPosition()),
        headers: { 'content-type': 'application/cloudevents+avro' },
      };
      expect(rejected(decodeKafkaMessage(message)).errors[0].field).toBe('content-type');
    });

    it('reports field errors of the event with dotted paths', () => {
      const event = sample.consignmentDischarged({ data: { items: [{ itemCode: 'RUTF', quantity: -3 }] } });
      const result = rejected(decodeKafkaMessage(structured(event, Topics.consignments)));
      expect(result.errors).toEqual([{ field: 'data.items.0.quantity', message: expect.any(String) }]);
    });
  });

  describe('binary mode', () => {
    it('builds the event from ce_ headers, content-type and the data in the value', () => {
      const event = sample.deliveryRecorded();
      const result = decodeKafkaMessage(binary(event, Topics.deliveries));
      expect(result).toEqual({ ok: true, event });
    });

    it('keeps ce_ extension headers as attributes and ignores other headers', () => {
      const event = sample.vesselStatic();
      const message = binary(event, Topics.positions, {
        ce_traceparent: '00-abc-01',
        'x-producer': 'ais-gateway-2',
      });
      const result = decodeKafkaMessage(message);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.event.traceparent).toBe('00-abc-01');
      expect(result.event).not.toHaveProperty('x-producer');
      expect(result.event.data).toEqual(event.data);
    });

    it('takes binary mode even without a content-type header', () => {
      const message = binary(sample.portDeclared(), Topics.reference);
      delete message.headers['content-type'];
      const result = decodeKafkaMessage(message);
      expect(result.ok).toBe(true);
      expect(result.ok && result.event.datacontenttype).toBeUndefined();
    });

    it('rejects a message whose ce_type header is missing, on field type', () => {
      const message = binary(sample.accessDenied(), Topics.verifications);
      delete message.headers.ce_type;
      expect(rejected(decodeKafkaMessage(message)).errors.map((e) => e.field)).toEqual(['type']);
    });

    it('rejects bad data with the dotted path of the field', () => {
      const message = binary(sample.vesselPosition({ data: { sog: 140 } }), Topics.positions);
      expect(rejected(decodeKafkaMessage(message)).errors.map((e) => e.field)).toEqual(['data.sog']);
    });

    it('rejects data that is not JSON', () => {
      const message = {
        ...binary(sample.vesselPosition(), Topics.positions),
        value: Buffer.from('lat=38.6'),
      };
      const result = rejected(decodeKafkaMessage(message));
      expect(result.reason).toMatch(/^malformed JSON in the data/);
      expect(result.errors[0].field).toBe('data');
    });

    it('rejects a non-JSON content type', () => {
      const message = binary(sample.vesselPosition(), Topics.positions, {
        'content-type': 'application/x-protobuf',
      });
      expect(rejected(decodeKafkaMessage(message)).errors[0].field).toBe('datacontenttype');
    });
  });

  describe('topic membership', () => {
    it('rejects an AIS position that arrived on the consignments topic, on field type', () => {
      const result = rejected(decodeKafkaMessage(structured(sample.vesselPosition(), Topics.consignments)));
      expect(result.errors).toEqual([
        {
          field: 'type',
          message: expect.stringContaining(`does not belong on topic ${Topics.consignments}`),
        },
      ]);
    });

    it('rejects any inbound event on a topic that carries none', () => {
      const result = rejected(decodeKafkaMessage(binary(sample.consignmentLoaded(), Topics.alerts)));
      expect(result.errors.map((e) => e.field)).toEqual(['type']);
    });

    it.each(Object.entries(sample.SampleBuilders))(
      'accepts %s on the topic that carries it',
      (type, build) => {
        const topic = Object.keys(TopicEventTypes).find((t) => TopicEventTypes[t].includes(type));
        expect(topic).toBeDefined();
        expect(decodeKafkaMessage(structured(build(), topic)).ok).toBe(true);
      },
    );
  });
});

describe('decodeKafkaMessage and deep nesting (LIMIT_JSON_DEPTH, as HTTP)', () => {
  const nestedEvent = (levels: number): Buffer => {
    // Written as text: building it with JSON.stringify would overflow the stack, as storing it would.
    const event = JSON.stringify(sample.vesselPosition());
    const note = `${'['.repeat(levels)}${']'.repeat(levels)}`;
    return Buffer.from(event.replace('"data":{', `"data":{"note":${note},`), 'utf8');
  };
  const message = (value: Buffer) => ({ topic: Topics.positions, value, headers: {} });

  it('refuses an event nested 10,000 levels deep with the reason, without overflowing the stack', () => {
    const result = decodeKafkaMessage(message(nestedEvent(10_000)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0].message).toContain('at most 32 levels (LIMIT_JSON_DEPTH)');
  });

  it('accepts one within the limit, and takes a limit of its own', () => {
    expect(decodeKafkaMessage(message(nestedEvent(20))).ok).toBe(true);
    expect(decodeKafkaMessage(message(nestedEvent(20)), 8).ok).toBe(false);
  });
});
