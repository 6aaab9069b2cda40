import { EventTypes } from '@aidwatch/domain';
import { mapFieldSubmission, toUtc } from './field-submission';
import { fieldFormMapping } from './field-submission-mapping';
import { koboDenial, koboVisit, odkVisit } from './testing/field-submissions';

const mapping = fieldFormMapping();

const mapped = (tool: 'kobo' | 'odk', body: unknown, m = mapping) => {
  const result = mapFieldSubmission(tool, body, m);
  if (!result.ok) throw new Error(`not mapped: ${JSON.stringify(result.errors)}`);
  return result.event;
};
const refused = (tool: 'kobo' | 'odk', body: unknown, m = mapping) => {
  const result = mapFieldSubmission(tool, body, m);
  if (result.ok) throw new Error('expected the submission to be refused');
  return result.errors;
};

describe('a KoboToolbox REST Services submission', () => {
  it('becomes a verification report: group paths, repeat rows, geopoint string, string quantities', () => {
    expect(mapped('kobo', koboVisit())).toEqual({
      specversion: '1.0',
      id: 'kobo-6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c-48213907',
      source: 'kobotoolbox:6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c',
      type: EventTypes.VerificationReported,
      subject: 'CSG-2024-0117',
      time: '2024-03-25T05:00:00.000Z',
      datacontenttype: 'application/json',
      data: {
        verificationId: 'kobo-6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c-48213907',
        consignmentId: 'CSG-2024-0117',
        siteId: 'KP-SHW-SARIWON-PH',
        monitorId: 'MON-017',
        lat: 38.5071,
        lon: 125.7556,
        observed: [
          { itemCode: 'RUTF', quantity: 1180 },
          { itemCode: 'FBF-SC', quantity: 12.5 },
        ],
        beneficiaries: 640,
        finding: 'discrepancy',
        at: '2024-03-25T05:00:00.000Z',
      },
    });
  });

  it('keeps its id when the submission is edited (_uuid and meta/instanceID change, _id does not)', () => {
    const edited = koboVisit({
      _uuid: 'c0ffee00-0000-4000-8000-000000000001',
      'meta/instanceID': 'uuid:c0ffee',
    });
    expect(mapped('kobo', edited).id).toBe(mapped('kobo', koboVisit()).id);
  });

  it('becomes an access denial, reading the hour-only offset +09 as +09:00', () => {
    const event = mapped('kobo', koboDenial());
    expect(event.type).toBe(EventTypes.AccessDenied);
    expect(event.data).toEqual({
      consignmentId: 'CSG-2024-0117',
      siteId: 'KP-SHW-HAEJU-NC',
      monitorId: 'MON-017',
      reason: 'Visit cancelled by local authorities at short notice',
      at: '2024-04-02T01:00:00.000Z',
    });
  });

  it('falls back to _geolocation, then to end, then to the zone-less _submission_time in the form zone', () => {
    const body = koboVisit({ 'visit/location': undefined, 'visit/visited_at': undefined, end: undefined });
    const event = mapped('kobo', body, fieldFormMapping({ utcOffset: '+09:00' }));
    expect(event.data).toMatchObject({ lat: 38.5071, lon: 125.7556, at: '2024-03-24T20:12:44.000Z' });
  });

  it('reads select-one codes through the mapping (an organisation that numbers its choices)', () => {
    const numbered = fieldFormMapping({
      outcomes: { visited: '1', accessDenied: '2' },
      findings: { '1': 'consistent', '2': 'discrepancy', '3': 'not_found', '4': 'diversion_suspected' },
    });
    const event = mapped('kobo', koboVisit({ 'visit/outcome': '1', 'visit/finding': '4' }), numbered);
    expect(event.data).toMatchObject({ finding: 'diversion_suspected' });
  });

  it('names every field it cannot map, by its form path', () => {
    const errors = refused(
      'kobo',
      koboVisit({
        'visit/site_id': '',
        'visit/finding': 'fine',
        'visit/beneficiaries': 'many',
        'visit/location': 'somewhere',
        _geolocation: [null, null],
        'visit/observed': [{ 'visit/observed/item_code': 'RUTF', 'visit/observed/quantity': '-3' }],
      }),
    );
    expect(errors.map((e) => e.field)).toEqual([
      'visit/site_id',
      'visit/location',
      'visit/finding',
      'visit/beneficiaries',
      'visit/observed[0]/quantity',
    ]);
  });

  it('refuses a submission without its stable identity, or with an outcome it does not know', () => {
    expect(refused('kobo', koboVisit({ _id: undefined })).map((e) => e.field)).toEqual(['_id']);
    expect(refused('kobo', koboVisit({ 'formhub/uuid': undefined })).map((e) => e.field)).toEqual([
      'formhub/uuid',
    ]);
    expect(refused('kobo', koboVisit({ 'visit/outcome': 'postponed' }))[0]).toMatchObject({
      field: 'visit/outcome',
      message: expect.stringContaining("not 'postponed'"),
    });
    expect(refused('kobo', koboDenial({ 'visit/denial_reason': ' ' })).map((e) => e.field)).toEqual([
      'visit/denial_reason',
    ]);
  });
});

describe('an ODK Central submission', () => {
  it('becomes a verification report: nested groups, expanded repeat, GeoJSON point', () => {
    const event = mapped('odk', odkVisit());
    expect(event).toMatchObject({
      id: 'odk-uuid:0c1e7c1a-2d2b-4c8e-8f0a-6d5b4a3c2b1a',
      source: 'odk-central',
      type: EventTypes.VerificationReported,
      time: '2024-03-25T06:10:00.000Z',
      data: {
        siteId: 'KP-SHW-SARIWON-PH',
        lat: 38.5072,
        lon: 125.7558,
        observed: [
          { itemCode: 'RUTF', quantity: 1200 },
          { itemCode: 'FBF-SC', quantity: 14 },
        ],
        beneficiaries: 655,
        finding: 'consistent',
      },
    });
  });

  it('refuses a submission without __id', () => {
    expect(refused('odk', odkVisit({ __id: undefined })).map((e) => e.field)).toEqual(['__id']);
  });

  it('reads an ODK geopoint string "lat lon alt accuracy" too', () => {
    const body = odkVisit();
    (body.visit as Record<string, unknown>).location = '38.5 125.75 0 5';
    expect(mapped('odk', body).data).toMatchObject({ lat: 38.5, lon: 125.75 });
  });
});

describe('form times as RFC 3339 UTC', () => {
  it.each([
    ['2024-03-25T14:00:00.000+09:00', '2024-03-25T05:00:00.000Z'],
    ['2024-03-25T14:00:00+09', '2024-03-25T05:00:00.000Z'],
    ['2024-03-25T14:00:00-0330', '2024-03-25T17:30:00.000Z'],
    ['2024-03-25T14:00:00Z', '2024-03-25T14:00:00.000Z'],
    ['2024-03-25T14:00', '2024-03-25T11:00:00.000Z'],
    ['2024-03-25 14:00:00', '2024-03-25T11:00:00.000Z'],
  ])('%s → %s (zone-less in a +03:00 form)', (input, expected) => {
    expect(toUtc(input, '+03:00')).toBe(expected);
  });

  it.each(['2024-02-30T10:00:00Z', '25/03/2024 14:00', '2024-03-25', '', 'now'])('refuses %s', (input) => {
    expect(toUtc(input, '+00:00')).toBeUndefined();
  });
});
