import { Vessels } from './demo-reference';
import { agency, consignmentStory, type ConsignmentStory } from './demo-story';

const unicef = agency('unicef');
const who = agency('who');
const UNICEF_COLD = 'UNICEF Chongjin cold store';
const NHG_HYGIENE = 'North Hamgyong Provincial Hygiene and Anti-epidemic Station';
const WHO_BONDED = 'WHO Hungnam bonded store';
const SHG_TB = 'South Hamgyong Provincial Tuberculosis Control Office';

// UNICEF immunisation, Vladivostok → Chongjin.
export function unicefConsignments(): ConsignmentStory[] {
  const chongjin = {
    exemption: 'unicef',
    agency: unicef,
    originPort: 'RUVVO',
    destinationPort: 'KPCHO',
  } as const;
  return [
    consignmentStory({
      ...chongjin,
      consignmentId: 'CSG-2026-0201',
      billOfLading: 'VVOCHO26052501',
      vessel: Vessels.zarya,
      registeredAt: '2026-05-18T03:00:00Z',
      items: { 'VAC-MR': 150000, 'SYR-AD05': 165000, 'BOX-SAFETY': 1650 },
    })
      .loaded('2026-05-25T02:00:00Z')
      .departed('2026-05-25T08:00:00Z')
      .arrived('2026-05-26T01:00:00Z')
      .discharged('2026-05-26T05:00:00Z', { 'VAC-MR': 150000, 'SYR-AD05': 164800, 'BOX-SAFETY': 1650 })
      .handedOver('2026-05-27T01:00:00Z', UNICEF_COLD, NHG_HYGIENE, {
        'VAC-MR': 150000,
        'SYR-AD05': 164800,
        'BOX-SAFETY': 1650,
      })
      .delivered('2026-05-29T02:00:00Z', 'chongjin', {
        'VAC-MR': 80000,
        'SYR-AD05': 88000,
        'BOX-SAFETY': 880,
      })
      .delivered('2026-05-31T02:00:00Z', 'kimchaek', {
        'VAC-MR': 70000,
        'SYR-AD05': 76700,
        'BOX-SAFETY': 770,
      })
      .verified(
        '2026-06-12T02:00:00Z',
        'chongjin',
        { 'VAC-MR': 79600, 'SYR-AD05': 87700 },
        { beneficiaries: 76900 },
      )
      .verified(
        '2026-06-15T02:00:00Z',
        'kimchaek',
        { 'VAC-MR': 69800, 'SYR-AD05': 76500 },
        { beneficiaries: 67200 },
      ),
    // Monitors turned away from Hoeryong three times running (and never verify there), and once from
    // Kyongsong on a follow-up visit.
    consignmentStory({
      ...chongjin,
      consignmentId: 'CSG-2026-0202',
      billOfLading: 'VVOCHO26052502',
      vessel: Vessels.zarya,
      registeredAt: '2026-05-19T03:00:00Z',
      items: { 'VAC-MR': 100000, 'SYR-AD05': 110000, 'BOX-SAFETY': 1100 },
    })
      .loaded('2026-05-25T03:00:00Z')
      .departed('2026-05-25T08:00:00Z')
      .arrived('2026-05-26T01:00:00Z')
      .discharged('2026-05-26T07:00:00Z', { 'VAC-MR': 100000, 'SYR-AD05': 109900, 'BOX-SAFETY': 1100 })
      .handedOver('2026-05-27T02:00:00Z', UNICEF_COLD, NHG_HYGIENE, {
        'VAC-MR': 100000,
        'SYR-AD05': 109900,
        'BOX-SAFETY': 1100,
      })
      .delivered('2026-06-01T02:00:00Z', 'hoeryong', {
        'VAC-MR': 55000,
        'SYR-AD05': 60500,
        'BOX-SAFETY': 600,
      })
      .delivered('2026-06-02T02:00:00Z', 'kyongsong', {
        'VAC-MR': 45000,
        'SYR-AD05': 49300,
        'BOX-SAFETY': 500,
      })
      .denied('2026-06-10T00:30:00Z', 'hoeryong', 'Road to Hoeryong closed by the county authorities')
      .verified(
        '2026-06-16T02:00:00Z',
        'kyongsong',
        { 'VAC-MR': 44850, 'SYR-AD05': 49200, 'BOX-SAFETY': 500 },
        { beneficiaries: 43100 },
      )
      .denied('2026-06-24T00:30:00Z', 'hoeryong', 'Visit postponed: county health officials unavailable')
      .denied('2026-07-08T00:30:00Z', 'hoeryong', 'Permission for foreign monitors not granted this month')
      .denied('2026-07-15T00:30:00Z', 'kyongsong', 'Hospital closed to visitors for quarantine'),
    consignmentStory({
      ...chongjin,
      consignmentId: 'CSG-2026-0203',
      billOfLading: 'VVOCHO26081703',
      vessel: Vessels.zarya,
      registeredAt: '2026-08-10T03:00:00Z',
      items: { 'VAC-MR': 120000, 'SYR-AD05': 132000, 'BOX-SAFETY': 1320 },
    })
      .loaded('2026-08-17T02:00:00Z')
      .departed('2026-08-17T08:00:00Z')
      .arrived('2026-08-18T01:00:00Z')
      .discharged('2026-08-18T06:00:00Z', { 'VAC-MR': 120000, 'SYR-AD05': 131800, 'BOX-SAFETY': 1320 })
      .delivered('2026-08-21T02:00:00Z', 'chongjin', {
        'VAC-MR': 60000,
        'SYR-AD05': 65900,
        'BOX-SAFETY': 660,
      })
      .delivered('2026-08-24T02:00:00Z', 'kimchaek', {
        'VAC-MR': 60000,
        'SYR-AD05': 65850,
        'BOX-SAFETY': 660,
      })
      .verified(
        '2026-09-08T02:00:00Z',
        'chongjin',
        { 'VAC-MR': 59700, 'SYR-AD05': 65600 },
        { beneficiaries: 57800 },
      )
      .verified(
        '2026-09-10T02:00:00Z',
        'kimchaek',
        { 'VAC-MR': 59800, 'SYR-AD05': 65700 },
        { beneficiaries: 58100 },
      ),
  ];
}

// WHO tuberculosis programme, Vladivostok → Hungnam.
export function whoConsignments(): ConsignmentStory[] {
  const hungnam = { exemption: 'who', agency: who, originPort: 'RUVVO', destinationPort: 'KPHGM' } as const;
  return [
    consignmentStory({
      ...hungnam,
      consignmentId: 'CSG-2026-0401',
      billOfLading: 'VVOHGM26070201',
      vessel: Vessels.kapitanSokolov,
      registeredAt: '2026-06-25T03:00:00Z',
      items: { 'TB-FDC4': 6000, 'XPERT-MTB': 300 },
    })
      .loaded('2026-07-02T00:30:00Z')
      .departed('2026-07-02T06:00:00Z')
      .arrived('2026-07-03T18:00:00Z')
      .discharged('2026-07-04T01:00:00Z', { 'TB-FDC4': 6000, 'XPERT-MTB': 300 })
      .handedOver('2026-07-05T01:00:00Z', WHO_BONDED, 'South Hamgyong Provincial Public Health Department', {
        'TB-FDC4': 6000,
        'XPERT-MTB': 300,
      })
      .handedOver('2026-07-06T01:00:00Z', 'South Hamgyong Provincial Public Health Department', SHG_TB, {
        'TB-FDC4': 5998,
        'XPERT-MTB': 300,
      })
      .delivered('2026-07-08T02:00:00Z', 'hamhung', { 'TB-FDC4': 4000, 'XPERT-MTB': 300 })
      .delivered('2026-07-09T02:00:00Z', 'hamju', { 'TB-FDC4': 1995 })
      .verified(
        '2026-07-24T02:00:00Z',
        'hamhung',
        { 'TB-FDC4': 3990, 'XPERT-MTB': 298 },
        { beneficiaries: 310 },
      )
      .verified('2026-07-27T02:00:00Z', 'hamju', { 'TB-FDC4': 1990 }, { beneficiaries: 140 }),
    // One goods-received note filed for two deliveries to two different sites.
    consignmentStory({
      ...hungnam,
      consignmentId: 'CSG-2026-0402',
      billOfLading: 'VVOHGM26070202',
      vessel: Vessels.kapitanSokolov,
      registeredAt: '2026-06-26T03:00:00Z',
      items: { 'TB-FDC4': 4000 },
    })
      .loaded('2026-07-02T01:30:00Z')
      .departed('2026-07-02T06:00:00Z')
      .arrived('2026-07-03T18:00:00Z')
      .discharged('2026-07-04T03:00:00Z', { 'TB-FDC4': 4000 })
      .delivered(
        '2026-07-10T02:00:00Z',
        'hamhung',
        { 'TB-FDC4': 2000 },
        { note: 'goods received note HGM-TB-0402' },
      )
      .delivered(
        '2026-07-12T02:00:00Z',
        'hungnam',
        { 'TB-FDC4': 1995 },
        { note: 'goods received note HGM-TB-0402' },
      )
      .verified('2026-07-26T02:00:00Z', 'hamhung', { 'TB-FDC4': 1990 }, { beneficiaries: 150 })
      .verified('2026-07-28T02:00:00Z', 'hungnam', { 'TB-FDC4': 1990 }, { beneficiaries: 160 }),
    consignmentStory({
      ...hungnam,
      consignmentId: 'CSG-2026-0403',
      billOfLading: 'VVOHGM26082703',
      vessel: Vessels.kapitanSokolov,
      registeredAt: '2026-08-20T03:00:00Z',
      items: { 'TB-FDC4': 1500, 'XPERT-MTB': 200 },
    })
      .loaded('2026-08-27T00:30:00Z')
      .departed('2026-08-27T06:00:00Z')
      .arrived('2026-08-28T18:00:00Z')
      .discharged('2026-08-29T01:00:00Z', { 'TB-FDC4': 1500, 'XPERT-MTB': 200 })
      .delivered('2026-09-02T02:00:00Z', 'hungnam', { 'TB-FDC4': 1500 })
      .delivered('2026-09-03T02:00:00Z', 'hamhung', { 'XPERT-MTB': 200 })
      .verified('2026-09-17T02:00:00Z', 'hungnam', { 'TB-FDC4': 1496 }, { beneficiaries: 120 })
      .verified('2026-09-18T02:00:00Z', 'hamhung', { 'XPERT-MTB': 199 }, { beneficiaries: 260 }),
  ];
}
