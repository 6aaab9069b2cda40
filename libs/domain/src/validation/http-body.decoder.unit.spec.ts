import * as sample from '../testing/samples';
import { BODY_INDEX, decodeHttpBody } from './http-body.decoder';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

function failed(result: ReturnType<typeof decodeHttpBody>) {
  if (result.ok) throw new Error('expected the body to be rejected');
  return result.errors;
}

describe('decodeHttpBody (POST /events)', () => {
  const journey = () => [
    sample.consignmentLoaded(),
    sample.consignmentDeparted(),
    sample.consignmentArrived(),
    sample.consignmentDischarged(),
  ];

  it('accepts one event sent as application/cloudevents+json', () => {
    const event = sample.verificationReported();
    expect(decodeHttpBody(`${SINGLE}; charset=utf-8`, event)).toEqual({ ok: true, events: [event] });
  });

  it('accepts a batch in the order sent', () => {
    const events = journey();
    expect(decodeHttpBody(BATCH, events)).toEqual({ ok: true, events });
  });

  it('accepts a single event or an array as plain application/json', () => {
    const event = sample.accessDenied();
    expect(decodeHttpBody('application/json', event)).toEqual({ ok: true, events: [event] });
    expect(decodeHttpBody('application/json', journey())).toEqual({ ok: true, events: journey() });
  });

  it('parses a raw JSON body given as a string or a Buffer', () => {
    const events = journey();
    expect(decodeHttpBody(BATCH, JSON.stringify(events))).toEqual({ ok: true, events });
    expect(decodeHttpBody(BATCH, Buffer.from(JSON.stringify(events)))).toEqual({ ok: true, events });
  });

  describe('given a batch with one bad event', () => {
    const events = journey();
    events[2] = sample.consignmentArrived({ id: 'arrival-without-port', data: { port: '' } });

    it('accepts none of the batch and names the bad event by index and id', () => {
      const result = decodeHttpBody(BATCH, events);
      expect(result).not.toHaveProperty('events');
      expect(failed(result)).toEqual([
        {
          index: 2,
          id: 'arrival-without-port',
          reason: expect.stringContaining("'arrival-without-port'"),
          errors: [{ field: 'data.port', message: expect.stringContaining('UN/LOCODE') }],
        },
      ]);
    });
  });

  it('reports every bad event of a batch, including one without an id', () => {
    const { id: _id, ...withoutId } = sample.vesselPosition();
    const events = [sample.vesselPosition({ data: { lat: 123 } }), sample.vesselStatic(), withoutId];
    const errors = failed(decodeHttpBody(BATCH, events));
    expect(errors.map((e) => [e.index, e.id, e.errors.map((f) => f.field)])).toEqual([
      [0, 'ais-445123000-20240306T0400', ['data.lat']],
      [2, undefined, ['id']],
    ]);
    expect(errors[1]).not.toHaveProperty('id');
  });

  it.each([
    ['an array sent as a single event', SINGLE, [sample.vesselPosition()], BATCH],
    ['a single event sent as a batch', BATCH, sample.vesselPosition(), 'JSON array'],
    ['malformed JSON', BATCH, '[{"specversion":"1.0",', 'malformed JSON'],
    ['an unsupported content type', 'text/plain', sample.vesselPosition(), 'unsupported content-type'],
    ['no content type', undefined, sample.vesselPosition(), 'unsupported content-type'],
  ])('rejects %s as a whole', (_story, contentType, body, reason) => {
    const errors = failed(decodeHttpBody(contentType, body));
    expect(errors).toHaveLength(1);
    expect(errors[0].index).toBe(BODY_INDEX);
    expect(errors[0].reason).toContain(reason);
  });
});
