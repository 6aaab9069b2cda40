// Submissions of the end-use verification form as the two field tools send them. Shapes follow what
// KoboToolbox REST Services post (flat group paths, repeats as arrays of full-path keys, `_geolocation`,
// zone-less `_submission_time`, `start`/`end` with hour-only offsets) and the ODK Central OData JSON
// (nested groups, expanded repeats, GeoJSON geopoints, `__id`, `__system`).

export const koboVisit = (overrides: Record<string, unknown> = {}) => ({
  _id: 48213907,
  'formhub/uuid': '6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c',
  _uuid: 'a3c9e0de-1f4b-4d2a-9c7e-5b6f8a9d0e1f',
  'meta/instanceID': 'uuid:a3c9e0de-1f4b-4d2a-9c7e-5b6f8a9d0e1f',
  __version__: 'vQm4cLr2fXxX8W6YkT3hNc',
  _xform_id_string: 'aJm2kQp7vN4xS9tR3hW8cY',
  _status: 'submitted_via_web',
  _submission_time: '2024-03-25T05:12:44',
  _submitted_by: 'mon017',
  _attachments: [],
  _notes: [],
  _tags: [],
  _validation_status: {},
  _geolocation: [38.5071, 125.7556],
  start: '2024-03-25T13:41:09.000+09',
  end: '2024-03-25T14:10:31.000+09',
  'visit/consignment_id': 'CSG-2024-0117',
  'visit/site_id': 'KP-SHW-SARIWON-PH',
  'visit/monitor_id': 'MON-017',
  'visit/outcome': 'visited',
  'visit/finding': 'discrepancy',
  'visit/beneficiaries': '640',
  'visit/location': '38.5071 125.7556 12.0 4.8',
  'visit/visited_at': '2024-03-25T14:00:00.000+09:00',
  'visit/observed': [
    { 'visit/observed/item_code': 'RUTF', 'visit/observed/quantity': '1180' },
    { 'visit/observed/item_code': 'FBF-SC', 'visit/observed/quantity': '12.5' },
  ],
  ...overrides,
});

export const koboDenial = (overrides: Record<string, unknown> = {}) => ({
  _id: 48213911,
  'formhub/uuid': '6f1d0e4c2b7a4f0e9d3c5b8a1e2f4d6c',
  _uuid: 'b7d1f2a3-5c6e-4f80-91a2-b3c4d5e6f708',
  _submission_time: '2024-04-02T01:20:00',
  _geolocation: [null, null],
  'visit/consignment_id': 'CSG-2024-0117',
  'visit/site_id': 'KP-SHW-HAEJU-NC',
  'visit/monitor_id': 'MON-017',
  'visit/outcome': 'access_denied',
  'visit/denial_reason': 'Visit cancelled by local authorities at short notice',
  'visit/visited_at': '2024-04-02T10:00:00.000+09',
  ...overrides,
});

export const odkVisit = (overrides: Record<string, unknown> = {}) => ({
  '@odata.context':
    'https://central.example.org/v1/projects/4/forms/end_use_verification.svc/$metadata#Submissions',
  __id: 'uuid:0c1e7c1a-2d2b-4c8e-8f0a-6d5b4a3c2b1a',
  __system: {
    submissionDate: '2024-03-25T05:20:03.114Z',
    updatedAt: null,
    submitterId: '27',
    submitterName: 'mon017',
    attachmentsPresent: 0,
    attachmentsExpected: 0,
    status: null,
    reviewState: null,
    deviceId: 'collect:Xb4Pq9',
    edits: 0,
    formVersion: '2024031801',
  },
  meta: { instanceID: 'uuid:0c1e7c1a-2d2b-4c8e-8f0a-6d5b4a3c2b1a' },
  start: '2024-03-25T15:02:10.000+09:00',
  end: '2024-03-25T15:31:47.000+09:00',
  visit: {
    consignment_id: 'CSG-2024-0117',
    site_id: 'KP-SHW-SARIWON-PH',
    monitor_id: 'MON-017',
    outcome: 'visited',
    finding: 'consistent',
    beneficiaries: 655,
    location: {
      type: 'Point',
      coordinates: [125.7558, 38.5072, 11.2],
      properties: { accuracy: 3.9 },
    },
    visited_at: '2024-03-25T15:10:00.000+09:00',
    'observed@odata.navigationLink':
      "Submissions('uuid%3A0c1e7c1a-2d2b-4c8e-8f0a-6d5b4a3c2b1a')/visit/observed",
    observed: [
      { __id: '3e5a', item_code: 'RUTF', quantity: 1200 },
      { __id: '3e5b', item_code: 'FBF-SC', quantity: 14 },
    ],
  },
  ...overrides,
});
