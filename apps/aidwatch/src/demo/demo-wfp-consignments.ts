import { Vessels } from './demo-reference';
import { agency, consignmentStory, type ConsignmentStory } from './demo-story';

const wfp = agency('wfp');
const WFP_NAMPO = 'WFP Nampo port warehouse';
const SHW_HEALTH = 'South Hwanghae Provincial Public Health Department';

// WFP nutrition, Dalian → Nampo. RUTF authorised: 18,000 cartons; 0101, 0107 and 0109 load 12,600 of them.
export function wfpConsignments(): ConsignmentStory[] {
  const nampo = { exemption: 'wfp', agency: wfp, originPort: 'CNDLC', destinationPort: 'KPNAM' } as const;
  return [
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0101',
      billOfLading: 'DLCNAM26051101',
      vessel: Vessels.huaXin18,
      registeredAt: '2026-05-04T07:00:00Z',
      items: { RUTF: 4000, 'FBF-SC': 300 },
    })
      .loaded('2026-05-11T06:00:00Z')
      .departed('2026-05-11T10:00:00Z')
      .arrived('2026-05-12T09:00:00Z')
      .discharged('2026-05-13T03:00:00Z', { RUTF: 3992, 'FBF-SC': 299.4 })
      .handedOver('2026-05-14T01:00:00Z', WFP_NAMPO, SHW_HEALTH, { RUTF: 3992, 'FBF-SC': 299.4 })
      .delivered('2026-05-18T02:00:00Z', 'haeju', { RUTF: 2000, 'FBF-SC': 150 })
      .delivered('2026-05-20T03:00:00Z', 'ongjin', { RUTF: 1990, 'FBF-SC': 149.2 })
      .verified('2026-06-02T02:30:00Z', 'haeju', { RUTF: 1985, 'FBF-SC': 149 }, { beneficiaries: 1240 })
      .verified('2026-06-05T01:30:00Z', 'ongjin', { RUTF: 1981, 'FBF-SC': 148.8 }, { beneficiaries: 960 }),
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0102',
      billOfLading: 'DLCNAM26051102',
      vessel: Vessels.huaXin18,
      registeredAt: '2026-05-05T07:00:00Z',
      items: { 'FBF-SC': 450 },
    })
      .loaded('2026-05-11T07:30:00Z')
      .departed('2026-05-11T10:00:00Z')
      .arrived('2026-05-12T09:00:00Z')
      .discharged('2026-05-13T06:00:00Z', { 'FBF-SC': 449 })
      .delivered('2026-05-19T02:00:00Z', 'anak', { 'FBF-SC': 224 })
      .delivered('2026-05-21T02:00:00Z', 'sinchon', { 'FBF-SC': 224 })
      .verified('2026-06-08T03:00:00Z', 'anak', { 'FBF-SC': 223 }, { beneficiaries: 2100 })
      .verified('2026-06-10T02:00:00Z', 'sinchon', { 'FBF-SC': 221 }, { beneficiaries: 1870 }),
    // Handed on by a county committee that never received it, and 13.6 % short once distribution is over.
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0107',
      billOfLading: 'DLCNAM26060307',
      vessel: Vessels.jinHai9,
      registeredAt: '2026-06-01T07:00:00Z',
      items: { RUTF: 3600 },
    })
      .loaded('2026-06-03T05:00:00Z')
      .departed('2026-06-03T12:00:00Z')
      .arrived('2026-06-04T14:00:00Z')
      .discharged('2026-06-05T02:00:00Z', { RUTF: 3590 })
      .handedOver('2026-06-06T01:00:00Z', WFP_NAMPO, SHW_HEALTH, { RUTF: 3590 })
      .handedOver(
        '2026-06-08T03:00:00Z',
        "Anak County People's Committee",
        "Anak County Children's Institution",
        { RUTF: 3590 },
      )
      .delivered('2026-06-10T02:00:00Z', 'anak', { RUTF: 1600 })
      .delivered('2026-06-12T03:00:00Z', 'sinchon', { RUTF: 1500 })
      .verified('2026-06-25T02:00:00Z', 'anak', { RUTF: 1595 }, { beneficiaries: 1510 })
      .verified('2026-06-27T02:00:00Z', 'sinchon', { RUTF: 1490 }, { beneficiaries: 1380 }),
    // Carried by RYONG SONG 5, which went dark and met a designated vessel at sea; 17 % short at discharge.
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0109',
      billOfLading: 'DLCNAM26061009',
      vessel: Vessels.ryongSong5,
      registeredAt: '2026-06-02T07:00:00Z',
      items: { RUTF: 5000, 'FBF-SC': 400 },
    })
      .loaded('2026-06-10T08:00:00Z')
      .departed('2026-06-10T18:00:00Z')
      .arrived('2026-06-12T10:30:00Z')
      .discharged('2026-06-13T02:00:00Z', { RUTF: 4150, 'FBF-SC': 332 })
      .handedOver('2026-06-14T01:00:00Z', WFP_NAMPO, SHW_HEALTH, { RUTF: 4150, 'FBF-SC': 332 })
      .delivered('2026-06-17T02:00:00Z', 'haeju', { RUTF: 2100, 'FBF-SC': 166 })
      .delivered('2026-06-18T03:00:00Z', 'chaeryong', { RUTF: 2045, 'FBF-SC': 165 })
      .verified('2026-07-02T02:00:00Z', 'haeju', { RUTF: 2090, 'FBF-SC': 165 }, { beneficiaries: 1320 })
      .verified('2026-07-03T02:00:00Z', 'chaeryong', { RUTF: 2040, 'FBF-SC': 164 }, { beneficiaries: 1290 }),
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0103',
      billOfLading: 'DLCNAM26070603',
      vessel: Vessels.huaXin18,
      registeredAt: '2026-07-01T07:00:00Z',
      items: { 'LNS-MQ': 2400 },
    })
      .loaded('2026-07-06T05:00:00Z')
      .departed('2026-07-06T11:00:00Z')
      .arrived('2026-07-07T12:00:00Z')
      .discharged('2026-07-08T02:00:00Z', { 'LNS-MQ': 2396 })
      .delivered('2026-07-14T02:00:00Z', 'chaeryong', { 'LNS-MQ': 1200 })
      .delivered('2026-07-15T02:00:00Z', 'haeju', { 'LNS-MQ': 1196 })
      .verified('2026-08-03T02:00:00Z', 'chaeryong', { 'LNS-MQ': 1194 }, { beneficiaries: 820 })
      .verified('2026-08-06T02:00:00Z', 'haeju', { 'LNS-MQ': 1190 }, { beneficiaries: 790 }),
    // A top-up that takes RUTF to 18,600 cartons of the 18,000 authorised, with two generators nobody exempted.
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0111',
      billOfLading: 'DLCNAM26072711',
      vessel: Vessels.jinHai9,
      registeredAt: '2026-07-20T07:00:00Z',
      items: { RUTF: 6000, 'GEN-DSL': 2 },
      extraUnits: { 'GEN-DSL': 'unit' },
    })
      .loaded('2026-07-27T05:00:00Z')
      .departed('2026-07-27T12:00:00Z')
      .arrived('2026-07-28T14:00:00Z')
      .discharged('2026-07-29T02:00:00Z', { RUTF: 5985, 'GEN-DSL': 2 })
      .handedOver('2026-07-30T01:00:00Z', WFP_NAMPO, SHW_HEALTH, { RUTF: 5985, 'GEN-DSL': 2 })
      .delivered('2026-08-03T02:00:00Z', 'haeju', { RUTF: 3000, 'GEN-DSL': 2 })
      .delivered('2026-08-05T02:00:00Z', 'ongjin', { RUTF: 2980 })
      .verified('2026-08-20T02:00:00Z', 'haeju', { RUTF: 2990, 'GEN-DSL': 2 }, { beneficiaries: 1900 })
      .verified('2026-08-22T02:00:00Z', 'ongjin', { RUTF: 2975 }, { beneficiaries: 1750 }),
    consignmentStory({
      ...nampo,
      consignmentId: 'CSG-2026-0104',
      billOfLading: 'DLCNAM26090704',
      vessel: Vessels.huaXin18,
      registeredAt: '2026-09-01T07:00:00Z',
      items: { 'LNS-MQ': 2000 },
    })
      .loaded('2026-09-07T05:00:00Z')
      .departed('2026-09-07T11:00:00Z')
      .arrived('2026-09-08T12:00:00Z')
      .discharged('2026-09-09T02:00:00Z', { 'LNS-MQ': 1998 })
      .delivered('2026-09-14T02:00:00Z', 'anak', { 'LNS-MQ': 1000 })
      .delivered('2026-09-15T02:00:00Z', 'sinchon', { 'LNS-MQ': 996 })
      .verified('2026-10-01T02:00:00Z', 'anak', { 'LNS-MQ': 995 }, { beneficiaries: 700 })
      .verified('2026-10-03T02:00:00Z', 'sinchon', { 'LNS-MQ': 990 }, { beneficiaries: 660 }),
  ];
}
