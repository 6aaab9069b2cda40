import type { CloudEvent } from '@aidwatch/domain';
import { CLOUDEVENTS_JSON, recordKeyOf, structuredRecord } from './kafka-publisher';

const event: CloudEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: 'aidwatch/detector',
  type: 'aidwatch.flag.raised.v1',
  subject: 'C-100',
  time: '2026-03-01T10:00:00Z',
  data: { flagId: 'F-1' },
};

describe('an outbound CloudEvent record', () => {
  it('is the whole event as JSON, marked as structured mode', () => {
    const record = structuredRecord('aidwatch.alerts.v1', event, 'C-100');
    expect(record.headers).toEqual({ 'content-type': CLOUDEVENTS_JSON });
    expect(JSON.parse(String(record.value))).toEqual(event);
  });

  it('is keyed by the partitionkey extension, else the subject, else the id', () => {
    expect(recordKeyOf({ ...event, partitionkey: 'MMSI-1' })).toBe('MMSI-1');
    expect(recordKeyOf(event)).toBe('C-100');
    expect(recordKeyOf({ ...event, subject: undefined })).toBe('e-1');
  });
});
