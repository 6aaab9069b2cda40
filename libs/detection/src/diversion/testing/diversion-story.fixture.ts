import type { AidEvent, RuleId } from '@aidwatch/domain';
import {
  exemptionGranted,
  exemptionRevoked,
  portDeclared,
  SamplePorts,
  vesselPosition,
} from './diversion-harness';
import {
  StoryExemptions,
  sites,
  vessels,
  goodsReceivedNoteWonsan,
  at,
  consignment,
  corrected,
} from './diversion-story.cast';

export { StoryExemptions } from './diversion-story.cast';

/*
 * Eight consignments under three exemptions in 2024, Dalian / Vladivostok → Nampo, with sites in the DPRK.
 * - WFP nutrition (RUTF, Super Cereal): C-WFP-1 is clean (a mistyped delivery is corrected, one verification
 *   comes late); C-WFP-2 loses 12.5 % between handover and delivery, a monitor finds less again, and it pushes
 *   RUTF past the authorised total; C-WFP-3 is delivered to Haeju where monitors are turned away three times
 *   and never verify.
 * - UNICEF immunisation (measles-rubella vaccine): C-UNI-1 is delivered 50 km from any declared site (its
 *   monitor's discrepancy is corrected to consistent the next day) with a goods-received note that C-UNI-2
 *   reuses at a handover from a party outside the chain; C-UNI-2 also carries syringes the exemption does not
 *   cover and takes vaccines past the authorised total.
 * - FAO agricultural inputs (maize seed, NPK fertiliser), revoked on 1 July: C-FAO-1 loads before the exemption
 *   is valid; C-FAO-2 is delivered after the revocation with no discharge on record, and a monitor suspects
 *   diversion. C-HELD names an exemption that never arrives and reuses C-FAO-1's bill of lading.
 */

const { nampo, dalian, vladivostok } = SamplePorts;
const w1 = consignment('C-WFP-1');
const w2 = consignment('C-WFP-2');
const w3 = consignment('C-WFP-3');
const u1 = consignment('C-UNI-1');
const u2 = consignment('C-UNI-2');
const f1 = consignment('C-FAO-1');
const f2 = consignment('C-FAO-2');
const held = consignment('C-HELD');

export const storyEvents: AidEvent[] = [
  portDeclared({ id: 'port-KPNAM', data: { ...nampo, radiusKm: 8 } }),
  portDeclared({ id: 'port-CNDLC', subject: dalian.locode, data: { ...dalian, radiusKm: 8 } }),
  portDeclared({ id: 'port-RUVVO', subject: vladivostok.locode, data: { ...vladivostok, radiusKm: 8 } }),
  exemptionGranted({
    id: 'exemption-granted-044',
    subject: StoryExemptions.unicef,
    time: at('01-05T09:00:00'),
    data: {
      exemptionId: StoryExemptions.unicef,
      committeeRef: '1718/EXEMPT/2024/044',
      projectTitle: 'Routine immunisation: measles-rubella campaign',
      implementingOrg: 'UNICEF',
      validFrom: at('01-01T00:00:00'),
      validUntil: at('12-31T23:59:59'),
      items: [
        {
          itemCode: 'VAC-MR',
          hsCode: '3002.41',
          description: 'Measles-rubella vaccine, 10-dose vial',
          unit: 'dose',
          quantity: 200000,
        },
        {
          itemCode: 'CCE-SDD',
          hsCode: '8418.50',
          description: 'Solar direct-drive vaccine refrigerator',
          unit: 'unit',
          quantity: 40,
        },
      ],
      sites: [sites.pyongyang, sites.wonsan],
    },
  }),
  exemptionGranted({
    data: {
      items: [
        {
          itemCode: 'RUTF',
          hsCode: '2106.90',
          description: 'Ready-to-use therapeutic food, 150 sachets',
          unit: 'carton',
          quantity: 12000,
        },
        {
          itemCode: 'FBF-SC',
          hsCode: '1901.10',
          description: 'Fortified blended food (Super Cereal Plus)',
          unit: 'tonne',
          quantity: 850,
        },
      ],
      sites: [sites.sariwon, sites.haeju, sites.hamhung],
    },
  }),
  exemptionGranted({
    id: 'exemption-granted-052',
    subject: StoryExemptions.fao,
    time: at('02-25T09:00:00'),
    data: {
      exemptionId: StoryExemptions.fao,
      committeeRef: '1718/EXEMPT/2024/052',
      projectTitle: 'Emergency agricultural inputs for cooperative farms',
      implementingOrg: 'Food and Agriculture Organization',
      validFrom: at('03-01T00:00:00'),
      validUntil: at('09-30T00:00:00'),
      items: [
        {
          itemCode: 'SEED-MAIZE',
          hsCode: '1005.10',
          description: 'Certified maize seed',
          unit: 'kg',
          quantity: 60000,
        },
        {
          itemCode: 'FERT-NPK',
          hsCode: '3105.20',
          description: 'NPK compound fertiliser',
          unit: 'tonne',
          quantity: 200,
        },
      ],
      sites: [sites.sinchon, sites.anju],
    },
  }),

  f1.registered(
    '02-26T08:00:00',
    StoryExemptions.fao,
    'DLCNAM240226',
    [['SEED-MAIZE', 40000, 'kg']],
    vessels.haiXing,
    dalian.locode,
  ),
  f1.loaded('02-28T10:00:00', dalian.locode, vessels.haiXing.mmsi, [['SEED-MAIZE', 40000]]),
  f1.discharged('03-04T09:00:00', [['SEED-MAIZE', 39900]]),
  f1.custody(1, '03-05T08:00:00', 'FAO Nampo office', 'Sinchon Cooperative Farm Management Committee', [
    ['SEED-MAIZE', 39900],
  ]),
  f1.delivered('DLV-F1-1', '03-07T06:00:00', sites.sinchon, [['SEED-MAIZE', 39850]]),
  f1.verified('VER-F1-1', '03-20T04:00:00', sites.sinchon, [['SEED-MAIZE', 39850]]),

  w1.registered(
    '03-01T06:00:00',
    StoryExemptions.wfp,
    'DLCNAM240117',
    [
      ['RUTF', 4000, 'carton'],
      ['FBF-SC', 300, 'tonne'],
    ],
    vessels.chonMaSan,
    dalian.locode,
  ),
  w1.loaded('03-04T14:00:00', dalian.locode, vessels.chonMaSan.mmsi, [
    ['RUTF', 4000],
    ['FBF-SC', 300],
  ]),
  w1.departed('03-05T02:30:00', dalian.locode),
  vesselPosition({
    id: 'ais-445123000-0306',
    time: at('03-06T04:00:05'),
    data: { at: at('03-06T04:00:00') },
  }),
  w1.arrived('03-07T08:15:00'),
  w1.discharged('03-08T10:00:00', [
    ['RUTF', 3990],
    ['FBF-SC', 299.2],
  ]),
  w1.custody(
    1,
    '03-09T07:00:00',
    'WFP Nampo warehouse',
    'South Hwanghae Provincial Public Health Department',
    [
      ['RUTF', 3990],
      ['FBF-SC', 299.2],
    ],
  ),
  w1.delivered('DLV-W1-1', '03-11T03:00:00', sites.sariwon, [
    ['RUTF', 2000],
    ['FBF-SC', 150],
  ]),
  w1.delivered('DLV-W1-2', '03-12T03:00:00', sites.haeju, [
    ['RUTF', 1080],
    ['FBF-SC', 148],
  ]),
  corrected(
    w1.delivered('DLV-W1-2', '03-12T03:00:00', sites.haeju, [
      ['RUTF', 1980],
      ['FBF-SC', 148],
    ]),
    '03-13T09:00:00',
  ),
  w2.registered(
    '03-20T06:00:00',
    StoryExemptions.wfp,
    'DLCNAM240320',
    [['RUTF', 9600, 'carton']],
    vessels.chonMaSan,
    dalian.locode,
  ),
  w1.verified('VER-W1-1', '03-25T05:00:00', sites.sariwon, [
    ['RUTF', 1990],
    ['FBF-SC', 150],
  ]),
  w2.loaded('03-25T12:00:00', dalian.locode, vessels.chonMaSan.mmsi, [['RUTF', 9600]]),
  w2.departed('03-26T01:00:00', dalian.locode),
  w2.arrived('03-28T09:00:00'),
  w2.discharged('03-29T10:00:00', [['RUTF', 9600]]),
  w2.custody(
    1,
    '03-30T07:00:00',
    'WFP Nampo warehouse',
    'South Hamgyong Provincial Public Health Department',
    [['RUTF', 9600]],
  ),
  w3.registered(
    '04-01T06:00:00',
    StoryExemptions.wfp,
    'DLCNAM240401',
    [['FBF-SC', 400, 'tonne']],
    vessels.chonMaSan,
    dalian.locode,
  ),
  u1.registered(
    '04-02T06:00:00',
    StoryExemptions.unicef,
    'VVONAM240402',
    [['VAC-MR', 150000, 'dose']],
    vessels.sibirskiy,
    vladivostok.locode,
  ),
  w2.delivered('DLV-W2-1', '04-03T03:00:00', sites.hamhung, [['RUTF', 8400]]),
  w3.loaded('04-05T10:00:00', dalian.locode, vessels.chonMaSan.mmsi, [['FBF-SC', 400]]),
  u1.loaded('04-05T11:00:00', vladivostok.locode, vessels.sibirskiy.mmsi, [['VAC-MR', 150000]]),
  u1.departed('04-05T18:00:00', vladivostok.locode),
  u1.arrived('04-08T06:00:00'),
  u1.discharged('04-08T12:00:00', [['VAC-MR', 150000]]),
  w3.discharged('04-09T10:00:00', [['FBF-SC', 398]]),
  u1.custody(1, '04-09T08:00:00', 'UNICEF Nampo cold store', 'Ministry of Public Health EPI', [
    ['VAC-MR', 150000],
  ]),
  w3.custody(
    1,
    '04-10T07:00:00',
    'WFP Nampo warehouse',
    'South Hwanghae Provincial Public Health Department',
    [['FBF-SC', 398]],
  ),
  u1.delivered(
    'DLV-U1-1',
    '04-11T05:00:00',
    sites.wonsan,
    [['VAC-MR', 149900]],
    { lat: 39.6, lon: 127.2 },
    goodsReceivedNoteWonsan,
  ),
  w3.delivered('DLV-W3-1', '04-12T03:00:00', sites.haeju, [['FBF-SC', 398]]),
  w2.verified('VER-W2-1', '04-15T05:00:00', sites.hamhung, [['RUTF', 8000]], 'discrepancy'),
  w1.verified('VER-W1-2', '04-20T05:00:00', sites.haeju, [
    ['RUTF', 1975],
    ['FBF-SC', 147.5],
  ]),
  w3.denied(1, '04-20T01:00:00', sites.haeju),
  u1.verified('VER-U1-1', '04-25T04:00:00', sites.wonsan, [['VAC-MR', 140000]], 'discrepancy'),
  corrected(u1.verified('VER-U1-1', '04-25T04:00:00', sites.wonsan, [['VAC-MR', 149800]]), '04-26T10:00:00'),
  w3.denied(2, '04-27T01:00:00', sites.haeju),
  held.registered(
    '05-01T06:00:00',
    StoryExemptions.unknown,
    'DLCNAM240226',
    [['PUMP-IRR', 20, 'unit']],
    vessels.chonMaSan,
    dalian.locode,
  ),
  held.loaded('05-03T10:00:00', dalian.locode, vessels.chonMaSan.mmsi, [['PUMP-IRR', 20]]),
  w3.denied(3, '05-04T01:00:00', sites.haeju),
  u2.registered(
    '05-10T06:00:00',
    StoryExemptions.unicef,
    'VVONAM240510',
    [
      ['VAC-MR', 60000, 'dose'],
      ['SYR-AD', 60000, 'piece'],
    ],
    vessels.sibirskiy,
    vladivostok.locode,
  ),
  u2.loaded('05-14T11:00:00', vladivostok.locode, vessels.sibirskiy.mmsi, [
    ['VAC-MR', 60000],
    ['SYR-AD', 60000],
  ]),
  u2.discharged('05-18T12:00:00', [
    ['VAC-MR', 60000],
    ['SYR-AD', 60000],
  ]),
  u2.custody(1, '05-19T08:00:00', 'UNICEF Nampo cold store', 'Ministry of Public Health EPI', [
    ['VAC-MR', 60000],
    ['SYR-AD', 60000],
  ]),
  u2.custody(
    2,
    '05-20T08:00:00',
    'Pyongyang City People’s Committee',
    'Pyongyang Central Vaccine Store',
    [
      ['VAC-MR', 60000],
      ['SYR-AD', 60000],
    ],
    goodsReceivedNoteWonsan,
  ),
  u2.delivered('DLV-U2-1', '05-22T05:00:00', sites.pyongyang, [
    ['VAC-MR', 59900],
    ['SYR-AD', 59900],
  ]),
  f2.registered(
    '06-01T06:00:00',
    StoryExemptions.fao,
    'DLCNAM240601',
    [['FERT-NPK', 150, 'tonne']],
    vessels.haiXing,
    dalian.locode,
  ),
  u2.verified('VER-U2-1', '06-05T04:00:00', sites.pyongyang, [['VAC-MR', 59900]]),
  f2.loaded('06-05T10:00:00', dalian.locode, vessels.haiXing.mmsi, [['FERT-NPK', 150]]),
  f2.departed('06-06T02:00:00', dalian.locode),
  f2.arrived('06-08T09:00:00'),
  exemptionRevoked({
    id: 'exemption-revoked-052',
    subject: StoryExemptions.fao,
    time: at('07-01T12:00:00'),
    data: {
      exemptionId: StoryExemptions.fao,
      reason: 'Monitoring access withdrawn in South Phyongan',
      at: at('07-01T12:00:00'),
    },
  }),
  f2.delivered('DLV-F2-1', '07-10T06:00:00', sites.anju, [['FERT-NPK', 150]]),
  f2.verified('VER-F2-1', '07-25T04:00:00', sites.anju, [], 'diversion_suspected'),
  vesselPosition({
    id: 'ais-445123000-0930',
    time: at('09-30T00:00:05'),
    data: { lat: 38.73, lon: 125.38, sog: 0, at: at('09-30T00:00:00') },
  }),
];

/** The flags the story must leave open: rule, consignment, rule-specific key. */
export const storyOpenFlags: Array<[RuleId, string, string]> = [
  ['quantity-shrinkage', 'C-WFP-2', 'RUTF|delivered'],
  ['quantity-shrinkage', 'C-WFP-2', 'RUTF|verified:KP-SHG-HAMHUNG-PH'],
  ['monitor-finding', 'C-WFP-2', 'verification:VER-W2-1'],
  ['over-authorisation', 'C-WFP-2', 'item:RUTF'],
  ['access-denied', 'C-WFP-3', 'site:KP-SHW-HAEJU-NC'],
  ['verification-overdue', 'C-WFP-3', 'delivery:DLV-W3-1'],
  ['undeclared-location', 'C-UNI-1', 'delivery:DLV-U1-1'],
  ['duplicate-document', 'C-UNI-1', `document:${goodsReceivedNoteWonsan}`],
  ['over-authorisation', 'C-UNI-2', 'item:VAC-MR'],
  ['item-not-exempt', 'C-UNI-2', 'item:SYR-AD'],
  ['broken-custody', 'C-UNI-2', 'handover:C-UNI-2-custody-2'],
  ['duplicate-document', 'C-UNI-2', `document:${goodsReceivedNoteWonsan}`],
  ['outside-validity', 'C-FAO-1', 'load:C-FAO-1-loaded'],
  ['duplicate-document', 'C-FAO-1', 'bill-of-lading:DLCNAM240226'],
  ['outside-validity', 'C-FAO-2', 'delivery:DLV-F2-1'],
  ['broken-custody', 'C-FAO-2', 'delivery-without-discharge'],
  ['monitor-finding', 'C-FAO-2', 'verification:VER-F2-1'],
  ['duplicate-document', 'C-HELD', 'bill-of-lading:DLCNAM240226'],
];
