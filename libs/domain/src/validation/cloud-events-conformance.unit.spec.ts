import { Topics } from '../event-types';
import * as sample from '../testing/samples';
import { decodeHttpBody } from './http-body.decoder';
import { decodeKafkaMessage } from './kafka-message.decoder';
import { validateCloudEvent } from './validate-cloud-event';

// CloudEvents 1.0 (spec v1.0.2): §3.1.1 attribute naming and types, §3.1 REQUIRED/OPTIONAL attributes,
// the JSON event format (§3.1 data / data_base64) and the HTTP and Kafka protocol bindings.

const fieldsRejected = (input: unknown): string[] => {
  const result = validateCloudEvent(input);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

const BATCH = 'application/cloudevents-batch+json';
const SINGLE = 'application/cloudevents+json';

describe('CloudEvents 1.0 conformance of the envelope', () => {
  describe('events the specification calls invalid are refused, naming the attribute', () => {
    it.each([
      ['an empty subject', { subject: '' }, 'subject'],
      ['an empty dataschema', { dataschema: '' }, 'dataschema'],
      ['a relative dataschema', { dataschema: 'schemas/position.json' }, 'dataschema'],
      ['a datacontenttype that is no media type', { datacontenttype: 'xyz' }, 'datacontenttype'],
      ['an attribute name with upper case', { MyExtension: 'x' }, 'MyExtension'],
      ['an attribute name with a dot', { 'my.extension': 'x' }, 'my.extension'],
      ['an attribute name with an underscore', { my_extension: 'x' }, 'my_extension'],
      ['an attribute name over 20 characters', { abcdefghijklmnopqrstu: 'x' }, 'abcdefghijklmnopqrstu'],
      ['an extension holding an object', { tenant: { id: 'x' } }, 'tenant'],
      ['data together with data_base64', { data_base64: 'e30=' }, 'data_base64'],
    ])('%s', (_story, overrides, field) => {
      expect(fieldsRejected({ ...sample.vesselPosition(), ...overrides })).toEqual([field]);
    });
  });

  describe('events the specification calls valid are accepted', () => {
    it('reads optional attributes sent as null as absent', () => {
      const event = { ...sample.vesselPosition(), subject: null, dataschema: null, datacontenttype: null };
      const result = validateCloudEvent(event);
      expect(result.ok).toBe(true);
      expect(result.ok && Object.keys(result.event)).not.toEqual(
        expect.arrayContaining(['subject', 'dataschema', 'datacontenttype']),
      );
      expect(event.subject).toBeNull();
    });

    it('reads an extension sent as null as absent', () => {
      const result = validateCloudEvent({ ...sample.vesselPosition(), traceparent: null });
      expect(result.ok && 'traceparent' in result.event).toBe(false);
    });

    it('still requires the required attributes when they are null', () => {
      expect(fieldsRejected({ ...sample.vesselPosition(), id: null })).toEqual(['id']);
    });

    it('keeps extensions that are strings, booleans and integers, with names of 20 characters', () => {
      const event = { ...sample.vesselPosition(), abcdefghijklmnopqrst: 'x', sampled: true, priority: 3 };
      expect(validateCloudEvent(event)).toEqual({ ok: true, event });
    });

    it('accepts a media type with parameters and a registered +json type', () => {
      expect(
        fieldsRejected({ ...sample.vesselPosition(), datacontenttype: 'application/json; charset=utf-8' }),
      ).toEqual([]);
      expect(
        fieldsRejected({ ...sample.vesselPosition(), datacontenttype: 'application/vnd.aidwatch+json' }),
      ).toEqual([]);
    });

    it('decodes JSON data sent as data_base64', () => {
      const event = sample.portDeclared();
      const { data, ...envelope } = event;
      const result = validateCloudEvent({
        ...envelope,
        data_base64: Buffer.from(JSON.stringify(data)).toString('base64'),
      });
      expect(result).toEqual({ ok: true, event });
    });

    it('refuses data_base64 that is not base64 of JSON', () => {
      const { data: _data, ...envelope } = sample.portDeclared();
      expect(fieldsRejected({ ...envelope, data_base64: 'not base64!' })).toEqual(['data_base64']);
      expect(fieldsRejected({ ...envelope, data_base64: Buffer.from('x=1').toString('base64') })).toEqual([
        'data_base64',
      ]);
    });
  });
});

describe('CloudEvents HTTP protocol binding (POST /events)', () => {
  it('accepts an empty batch as a batch of no events', () => {
    expect(decodeHttpBody(BATCH, [])).toEqual({ ok: true, events: [] });
  });

  it('reads optional null attributes of a structured event as absent', () => {
    const result = decodeHttpBody(SINGLE, { ...sample.accessDenied(), subject: null });
    expect(result.ok && result.events[0]).toEqual(
      expect.not.objectContaining({ subject: expect.anything() }),
    );
  });

  describe('binary mode', () => {
    const binaryHeaders = sample.binaryModeHeaders;

    it('builds the event from ce- headers and the JSON body', () => {
      const event = sample.verificationReported();
      const result = decodeHttpBody('application/json', event.data, binaryHeaders(event));
      expect(result).toEqual({
        ok: true,
        events: [{ ...event, datacontenttype: 'application/json', data: event.data }],
      });
    });

    it('reads header names in any case and percent-decodes values', () => {
      const event = sample.verificationReported({ source: 'urn:monitor:Équipe 4' });
      const headers = {
        'CE-SpecVersion': '1.0',
        'Ce-Id': event.id,
        'ce-SOURCE': 'urn:monitor:%C3%89quipe%204',
        'ce-type': event.type,
        'ce-time': event.time,
        'ce-traceparent': '00-abc-01',
      };
      const result = decodeHttpBody('application/json; charset=utf-8', JSON.stringify(event.data), headers);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.events[0]).toMatchObject({ source: 'urn:monitor:Équipe 4', traceparent: '00-abc-01' });
    });

    it('names the attribute whose header is not valid percent-encoding', () => {
      const event = sample.verificationReported();
      const result = decodeHttpBody('application/json', event.data, {
        ...binaryHeaders(event),
        'ce-subject': '100%',
      });
      expect(!result.ok && result.errors[0].errors.map((e) => e.field)).toEqual(['subject']);
    });

    it('names missing required attributes and refuses data that is not JSON', () => {
      const result = decodeHttpBody('text/plain', 'hello', { 'ce-specversion': '1.0' });
      expect(!result.ok && result.errors[0].errors.map((e) => e.field)).toEqual([
        'datacontenttype',
        'id',
        'source',
        'type',
        'time',
      ]);
    });
  });
});

describe('CloudEvents Kafka protocol binding', () => {
  const binary = (event: ReturnType<typeof sample.vesselPosition>, extra: Record<string, string>) => ({
    topic: Topics.positions,
    value: Buffer.from(JSON.stringify(event.data)),
    headers: {
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_source: event.source,
      ce_type: event.type,
      ce_time: event.time,
      ...extra,
    },
  });

  it('refuses a binary-mode attribute header whose name is not lower case', () => {
    const result = decodeKafkaMessage(binary(sample.vesselPosition(), { ce_MyExtension: 'x' }));
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual(['MyExtension']);
  });

  it('refuses an empty subject in binary mode', () => {
    const result = decodeKafkaMessage(binary(sample.vesselPosition(), { ce_subject: '' }));
    expect(!result.ok && result.errors.map((e) => e.field)).toEqual(['subject']);
  });

  it('reads null optional attributes of a structured event as absent', () => {
    const event = { ...sample.vesselPosition(), dataschema: null };
    const result = decodeKafkaMessage({
      topic: Topics.positions,
      value: Buffer.from(JSON.stringify(event)),
      headers: { 'content-type': SINGLE },
    });
    expect(result.ok && 'dataschema' in result.event).toBe(false);
  });
});
