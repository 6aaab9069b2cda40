import { Vessels } from './demo-reference';
import { agency, consignmentStory, type ConsignmentStory } from './demo-story';

const fao = agency('fao');
const kwp = agency('kwp');

// FAO greenhouses, Dandong → Nampo.
export function faoConsignments(): ConsignmentStory[] {
  const dandong = { exemption: 'fao', agency: fao, originPort: 'CNDDG', destinationPort: 'KPNAM' } as const;
  return [
    // Seeds shipped early for the spring sowing: loaded five days before the exemption took effect.
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0303',
      billOfLading: 'DDGNAM26022603',
      vessel: Vessels.danHai6,
      registeredAt: '2026-02-20T03:00:00Z',
      items: { 'SEED-VEG': 8000 },
    })
      .loaded('2026-02-24T02:00:00Z')
      .departed('2026-02-24T09:00:00Z')
      .arrived('2026-02-25T04:00:00Z')
      .discharged('2026-02-26T02:00:00Z', { 'SEED-VEG': 7990 })
      .delivered('2026-03-04T02:00:00Z', 'sukchon', { 'SEED-VEG': 4000 })
      .delivered('2026-03-05T02:00:00Z', 'mundok', { 'SEED-VEG': 3985 })
      .verified('2026-03-20T02:00:00Z', 'sukchon', { 'SEED-VEG': 3990 }, { beneficiaries: 420 })
      .verified('2026-03-22T02:00:00Z', 'mundok', { 'SEED-VEG': 3975 }, { beneficiaries: 380 }),
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0301',
      billOfLading: 'DDGNAM26040201',
      vessel: Vessels.danHai6,
      registeredAt: '2026-03-25T03:00:00Z',
      items: { 'SEED-VEG': 12000, 'FILM-GH': 900 },
    })
      .loaded('2026-04-02T01:00:00Z')
      .departed('2026-04-02T10:00:00Z')
      .arrived('2026-04-03T04:00:00Z')
      .discharged('2026-04-03T07:00:00Z', { 'SEED-VEG': 11990, 'FILM-GH': 900 })
      .delivered('2026-04-08T02:00:00Z', 'sukchon', { 'SEED-VEG': 6000, 'FILM-GH': 450 })
      .delivered('2026-04-09T02:00:00Z', 'onchon', { 'SEED-VEG': 5980, 'FILM-GH': 450 })
      .verified(
        '2026-04-24T02:00:00Z',
        'sukchon',
        { 'SEED-VEG': 5990, 'FILM-GH': 450 },
        { beneficiaries: 610 },
      )
      .verified(
        '2026-04-27T02:00:00Z',
        'onchon',
        { 'SEED-VEG': 5970, 'FILM-GH': 448 },
        { beneficiaries: 540 },
      ),
    // Half the film and kits "delivered to Mundok" by a handheld that was 60 km away, east of Pyongyang.
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0302',
      billOfLading: 'DDGNAM26040202',
      vessel: Vessels.danHai6,
      registeredAt: '2026-03-26T03:00:00Z',
      items: { 'FILM-GH': 600, 'DRIP-KIT': 150 },
    })
      .loaded('2026-04-02T03:00:00Z')
      .departed('2026-04-02T10:00:00Z')
      .arrived('2026-04-03T04:00:00Z')
      .discharged('2026-04-03T09:00:00Z', { 'FILM-GH': 600, 'DRIP-KIT': 150 })
      .delivered(
        '2026-04-10T02:00:00Z',
        'mundok',
        { 'FILM-GH': 300, 'DRIP-KIT': 75 },
        { at: { lat: 39.1358, lon: 125.9103 } },
      )
      .delivered('2026-04-11T02:00:00Z', 'sukchon', { 'FILM-GH': 300, 'DRIP-KIT': 75 })
      .verified('2026-04-28T02:00:00Z', 'mundok', { 'FILM-GH': 298, 'DRIP-KIT': 75 }, { beneficiaries: 300 })
      .verified(
        '2026-04-29T02:00:00Z',
        'sukchon',
        { 'FILM-GH': 300, 'DRIP-KIT': 75 },
        { beneficiaries: 320 },
      ),
    // The greenhouse film delivered to Mundok is not there when the monitor comes.
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0304',
      billOfLading: 'DDGNAM26051504',
      vessel: Vessels.danHai6,
      registeredAt: '2026-05-10T03:00:00Z',
      items: { 'SEED-VEG': 6000, 'FILM-GH': 500 },
    })
      .loaded('2026-05-15T01:00:00Z')
      .departed('2026-05-15T09:00:00Z')
      .arrived('2026-05-16T03:00:00Z')
      .discharged('2026-05-16T07:00:00Z', { 'SEED-VEG': 5995, 'FILM-GH': 500 })
      .delivered('2026-05-20T02:00:00Z', 'onchon', { 'SEED-VEG': 3000, 'FILM-GH': 250 })
      .delivered('2026-05-21T02:00:00Z', 'mundok', { 'SEED-VEG': 2990, 'FILM-GH': 250 })
      .verified(
        '2026-06-05T02:00:00Z',
        'onchon',
        { 'SEED-VEG': 2990, 'FILM-GH': 248 },
        { beneficiaries: 510 },
      )
      .verified(
        '2026-06-08T02:00:00Z',
        'mundok',
        { 'SEED-VEG': 2980, 'FILM-GH': 0 },
        { finding: 'not_found', beneficiaries: 140 },
      ),
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0305',
      billOfLading: 'DDGNAM26062505',
      vessel: Vessels.danHai6,
      registeredAt: '2026-06-20T03:00:00Z',
      items: { 'DRIP-KIT': 300 },
    })
      .loaded('2026-06-25T01:00:00Z')
      .departed('2026-06-25T09:00:00Z')
      .arrived('2026-06-26T03:00:00Z')
      .discharged('2026-06-26T07:00:00Z', { 'DRIP-KIT': 300 })
      .delivered('2026-06-30T02:00:00Z', 'sukchon', { 'DRIP-KIT': 150 })
      .delivered('2026-07-01T02:00:00Z', 'onchon', { 'DRIP-KIT': 150 })
      .verified('2026-07-15T02:00:00Z', 'sukchon', { 'DRIP-KIT': 150 }, { beneficiaries: 300 })
      .verified('2026-07-17T02:00:00Z', 'onchon', { 'DRIP-KIT': 149 }, { beneficiaries: 280 }),
  ];
}

// Rural water, Dandong → Nampo; the exemption is revoked on 20 July.
export function waterConsignments(): ConsignmentStory[] {
  const dandong = { exemption: 'water', agency: kwp, originPort: 'CNDDG', destinationPort: 'KPNAM' } as const;
  return [
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0502',
      billOfLading: 'DDGNAM26042202',
      vessel: Vessels.haiCheng12,
      registeredAt: '2026-04-15T03:00:00Z',
      items: { 'PUMP-HAND': 120, 'PIPE-HDPE': 15000, 'TAB-NADCC': 2000 },
    })
      .loaded('2026-04-22T01:00:00Z')
      .departed('2026-04-22T09:00:00Z')
      .arrived('2026-04-23T03:00:00Z')
      .discharged('2026-04-23T08:00:00Z', { 'PUMP-HAND': 120, 'PIPE-HDPE': 14980, 'TAB-NADCC': 2000 })
      .delivered('2026-04-28T02:00:00Z', 'hwangju', { 'PUMP-HAND': 60, 'PIPE-HDPE': 7500, 'TAB-NADCC': 1000 })
      .delivered('2026-04-30T02:00:00Z', 'yontan', { 'PUMP-HAND': 60, 'PIPE-HDPE': 7470, 'TAB-NADCC': 1000 })
      .verified(
        '2026-05-14T02:00:00Z',
        'hwangju',
        { 'PUMP-HAND': 60, 'PIPE-HDPE': 7480 },
        { beneficiaries: 5200 },
      )
      .verified(
        '2026-05-18T02:00:00Z',
        'yontan',
        { 'PUMP-HAND': 59, 'PIPE-HDPE': 7450 },
        { beneficiaries: 4800 },
      ),
    // Delivered four days after the revocation; no monitor has been allowed to see it since.
    consignmentStory({
      ...dandong,
      consignmentId: 'CSG-2026-0501',
      billOfLading: 'DDGNAM26071001',
      vessel: Vessels.haiCheng12,
      registeredAt: '2026-07-01T03:00:00Z',
      items: { 'PUMP-HAND': 100, 'PIPE-HDPE': 12000, 'TAB-NADCC': 1500 },
    })
      .loaded('2026-07-10T01:00:00Z')
      .departed('2026-07-10T09:00:00Z')
      .arrived('2026-07-11T03:00:00Z')
      .discharged('2026-07-12T02:00:00Z', { 'PUMP-HAND': 100, 'PIPE-HDPE': 11990, 'TAB-NADCC': 1500 })
      .delivered('2026-07-24T02:00:00Z', 'hwangju', {
        'PUMP-HAND': 100,
        'PIPE-HDPE': 11980,
        'TAB-NADCC': 1500,
      }),
  ];
}
