import {
  EventTypes,
  type ExemptionGranted,
  type ExemptionGrantedData,
  type ExemptionRevoked,
  type ExemptionSite,
  type PortDeclared,
  type VesselDesignated,
} from '@aidwatch/domain';
import { portDeclaredEvents } from '@aidwatch/maritime';

export const UN_1718 = '/un/sc/1718-committee';

/** A vessel as its AIS transponder and the carriers' paperwork name it. */
export interface DemoVessel {
  mmsi: string;
  imo: string;
  name: string;
  callsign: string;
  flag: string;
}

// IMO numbers carry valid check digits and each MMSI's MID matches its flag, as real transponders would.
export const Vessels = {
  huaXin18: { mmsi: '413269150', imo: '9412361', name: 'HUA XIN 18', callsign: 'BOXH7', flag: 'CN' },
  jinHai9: { mmsi: '413445870', imo: '9544176', name: 'JIN HAI 9', callsign: 'BQJH3', flag: 'CN' },
  danHai6: { mmsi: '413327460', imo: '9238167', name: 'DAN HAI 6', callsign: 'BPDH6', flag: 'CN' },
  haiCheng12: { mmsi: '413508230', imo: '9645308', name: 'HAI CHENG 12', callsign: 'BRHC2', flag: 'CN' },
  zarya: { mmsi: '273351780', imo: '9134581', name: 'ZARYA', callsign: 'UBQF6', flag: 'RU' },
  kapitanSokolov: {
    mmsi: '273419620',
    imo: '9012472',
    name: 'KAPITAN SOKOLOV',
    callsign: 'UFKS9',
    flag: 'RU',
  },
  ryongSong5: { mmsi: '445117000', imo: '8719059', name: 'RYONG SONG 5', callsign: 'HMYS5', flag: 'KP' },
  yuSon8: { mmsi: '445209000', imo: '8673217', name: 'YU SON 8', callsign: 'HMUS8', flag: 'KP' },
} satisfies Record<string, DemoVessel>;

const site = (siteId: string, name: string, lat: number, lon: number, radiusKm: number): ExemptionSite => ({
  siteId,
  name,
  lat,
  lon,
  radiusKm,
});

export const Sites = {
  haeju: site('KP-SHW-HAEJU-PH', 'Haeju Provincial Paediatric Hospital', 38.0406, 125.7147, 2),
  ongjin: site('KP-SHW-ONGJIN-CH', 'Ongjin County Hospital', 37.9341, 125.3625, 2),
  anak: site('KP-SHW-ANAK-CI', "Anak County Children's Institution", 38.5114, 125.4947, 2),
  sinchon: site('KP-SHW-SINCHON-NU', 'Sinchon County Nursery No. 2', 38.3483, 125.4789, 2),
  chaeryong: site('KP-SHW-CHAERYONG-CH', 'Chaeryong County Hospital', 38.3958, 125.6164, 2),
  chongjin: site('KP-NHG-CHONGJIN-PH', 'Chongjin Provincial Hospital', 41.7956, 129.7758, 3),
  kimchaek: site('KP-NHG-KIMCHAEK-CH', 'Kimchaek City Hospital', 40.6723, 129.2027, 2),
  hoeryong: site('KP-NHG-HOERYONG-CH', 'Hoeryong County Hospital', 42.4422, 129.7507, 2),
  kyongsong: site('KP-NHG-KYONGSONG-CH', 'Kyongsong County Hospital', 41.5878, 129.6064, 2),
  sukchon: site('KP-SPY-SUKCHON-CF', 'Sukchon Cooperative Farm', 39.4097, 125.6281, 3),
  mundok: site('KP-SPY-MUNDOK-CF', 'Mundok Cooperative Farm', 39.5753, 125.3239, 3),
  onchon: site('KP-NAM-ONCHON-CF', 'Onchon Cooperative Farm', 38.8672, 125.2467, 3),
  hamhung: site('KP-SHG-HAMHUNG-TB', 'Hamhung Provincial Tuberculosis Hospital', 39.9183, 127.5364, 3),
  hungnam: site('KP-SHG-HUNGNAM-PC', 'Hungnam District Preventive Care Centre', 39.8308, 127.6186, 2),
  hamju: site('KP-SHG-HAMJU-TB', 'Hamju County Tuberculosis Ward', 39.8756, 127.4372, 2),
  hwangju: site('KP-NHW-HWANGJU-WP', 'Hwangju County village water points', 38.6606, 125.6486, 6),
  yontan: site('KP-NHW-YONTAN-WP', 'Yontan County village water points', 38.5564, 126.0106, 6),
} satisfies Record<string, ExemptionSite>;

export type SiteKey = keyof typeof Sites;

const wfp: ExemptionGrantedData = {
  exemptionId: '1718-EX-2026-017',
  committeeRef: '1718/EXEMPT/2026/017',
  projectTitle: 'Nutrition support for children under five and pregnant and lactating women, South Hwanghae',
  implementingOrg: 'WFP',
  validFrom: '2026-03-01T00:00:00Z',
  validUntil: '2027-02-28T23:59:59Z',
  items: [
    {
      itemCode: 'RUTF',
      hsCode: '2106.90',
      description: 'Ready-to-use therapeutic food, 150 sachets',
      quantity: 18000,
      unit: 'carton',
    },
    {
      itemCode: 'FBF-SC',
      hsCode: '1901.90',
      description: 'Super Cereal Plus fortified blended food',
      quantity: 1200,
      unit: 'tonne',
    },
    {
      itemCode: 'LNS-MQ',
      hsCode: '2106.90',
      description: 'Lipid-based nutrient supplement, medium quantity',
      quantity: 6000,
      unit: 'carton',
    },
  ],
  sites: [Sites.haeju, Sites.ongjin, Sites.anak, Sites.sinchon, Sites.chaeryong],
};

const unicef: ExemptionGrantedData = {
  exemptionId: '1718-EX-2026-022',
  committeeRef: '1718/EXEMPT/2026/022',
  projectTitle: 'Measles-rubella supplementary immunisation campaign, North Hamgyong',
  implementingOrg: 'UNICEF',
  validFrom: '2026-04-01T00:00:00Z',
  validUntil: '2026-12-31T23:59:59Z',
  items: [
    {
      itemCode: 'VAC-MR',
      hsCode: '3002.41',
      description: 'Measles-rubella vaccine, 10-dose vial',
      quantity: 400000,
      unit: 'dose',
    },
    {
      itemCode: 'SYR-AD05',
      hsCode: '9018.31',
      description: 'Auto-disable syringe, 0.5 ml',
      quantity: 440000,
      unit: 'piece',
    },
    {
      itemCode: 'BOX-SAFETY',
      hsCode: '4819.20',
      description: 'Safety box for used syringes, 5 l',
      quantity: 4400,
      unit: 'piece',
    },
  ],
  sites: [Sites.chongjin, Sites.kimchaek, Sites.hoeryong, Sites.kyongsong],
};

// Seeds and greenhouse film rather than fertiliser: fertiliser can be exempted, but it is dual-use and draws
// closer scrutiny than a demo needs.
const fao: ExemptionGrantedData = {
  exemptionId: '1718-EX-2026-009',
  committeeRef: '1718/EXEMPT/2026/009',
  projectTitle: 'Vegetable production in cooperative farm greenhouses, South Pyongan and Nampo',
  implementingOrg: 'FAO',
  validFrom: '2026-03-01T00:00:00Z',
  validUntil: '2026-10-31T23:59:59Z',
  items: [
    {
      itemCode: 'SEED-VEG',
      hsCode: '1209.91',
      description: 'Vegetable seeds (cabbage, radish, cucumber)',
      quantity: 30000,
      unit: 'kg',
    },
    {
      itemCode: 'FILM-GH',
      hsCode: '3920.10',
      description: 'Polyethylene greenhouse film, 8 x 50 m',
      quantity: 2400,
      unit: 'roll',
    },
    {
      itemCode: 'DRIP-KIT',
      hsCode: '8424.82',
      description: 'Drip irrigation kit for 1,000 m²',
      quantity: 600,
      unit: 'set',
    },
  ],
  sites: [Sites.sukchon, Sites.mundok, Sites.onchon],
};

const who: ExemptionGrantedData = {
  exemptionId: '1718-EX-2026-031',
  committeeRef: '1718/EXEMPT/2026/031',
  projectTitle: 'Tuberculosis diagnosis and treatment, South Hamgyong',
  implementingOrg: 'WHO',
  validFrom: '2026-05-01T00:00:00Z',
  validUntil: '2027-04-30T23:59:59Z',
  items: [
    {
      itemCode: 'TB-FDC4',
      hsCode: '3004.20',
      description: 'RHZE 150/75/400/275 mg fixed-dose combination, box of 672',
      quantity: 12000,
      unit: 'box',
    },
    {
      itemCode: 'XPERT-MTB',
      hsCode: '3822.19',
      description: 'Xpert MTB/RIF Ultra cartridges, pack of 50',
      quantity: 800,
      unit: 'pack',
    },
  ],
  sites: [Sites.hamhung, Sites.hungnam, Sites.hamju],
};

const water: ExemptionGrantedData = {
  exemptionId: '1718-EX-2026-012',
  committeeRef: '1718/EXEMPT/2026/012',
  projectTitle: 'Rural drinking water supply, North Hwanghae',
  implementingOrg: 'KWP',
  validFrom: '2026-03-15T00:00:00Z',
  validUntil: '2027-03-14T23:59:59Z',
  items: [
    {
      itemCode: 'PUMP-HAND',
      hsCode: '8413.20',
      description: 'Hand pump, India Mark II',
      quantity: 300,
      unit: 'piece',
    },
    {
      itemCode: 'PIPE-HDPE',
      hsCode: '3917.21',
      description: 'HDPE water pipe, 63 mm',
      quantity: 40000,
      unit: 'm',
    },
    {
      itemCode: 'TAB-NADCC',
      hsCode: '3808.94',
      description: 'Chlorination tablets, NaDCC 67 mg, tub of 200',
      quantity: 5000,
      unit: 'tub',
    },
  ],
  sites: [Sites.hwangju, Sites.yontan],
};

export const Exemptions = { wfp, unicef, fao, who, water } satisfies Record<string, ExemptionGrantedData>;
export type ExemptionKey = keyof typeof Exemptions;

const GRANTED_AT: Record<ExemptionKey, string> = {
  fao: '2026-02-10T10:00:00Z',
  wfp: '2026-02-20T10:00:00Z',
  water: '2026-03-05T10:00:00Z',
  unicef: '2026-03-18T10:00:00Z',
  who: '2026-04-22T10:00:00Z',
};

export const WATER_REVOKED_AT = '2026-07-20T09:00:00Z';

function granted(key: ExemptionKey): ExemptionGranted {
  const data = Exemptions[key];
  return {
    specversion: '1.0',
    id: `${data.committeeRef}/granted`,
    source: UN_1718,
    type: EventTypes.ExemptionGranted,
    subject: data.exemptionId,
    time: GRANTED_AT[key],
    datacontenttype: 'application/json',
    data,
  };
}

const revokedWater: ExemptionRevoked = {
  specversion: '1.0',
  id: `${water.committeeRef}/revoked`,
  source: UN_1718,
  type: EventTypes.ExemptionRevoked,
  subject: water.exemptionId,
  time: WATER_REVOKED_AT,
  datacontenttype: 'application/json',
  data: {
    exemptionId: water.exemptionId,
    reason: 'The implementing organisation could not maintain the end-use monitoring the exemption requires',
    at: WATER_REVOKED_AT,
  },
};

const designation = (listRef: string, name: string, imo: string, mmsi?: string): VesselDesignated => ({
  specversion: '1.0',
  id: `designation/${listRef}`,
  source: UN_1718,
  type: EventTypes.VesselDesignated,
  subject: mmsi ?? imo,
  time: '2026-01-15T00:00:00Z',
  datacontenttype: 'application/json',
  data: { listRef, name, imo, ...(mmsi ? { mmsi } : {}), at: '2026-01-15T00:00:00Z' },
});

/** The 1718 Committee's vessel list as imported at the start of the year (one of them shows up at sea). */
const designations: VesselDesignated[] = [
  designation('1718-VSL-2018-041', Vessels.yuSon8.name, Vessels.yuSon8.imo, Vessels.yuSon8.mmsi),
  designation('1718-VSL-2018-017', 'SONG RIM 7', '9382724'),
  designation('1718-VSL-2019-003', 'PAEK MA 2', '8719073'),
];

/** Ports, the designated vessel list, the five exemptions and one revocation. */
export function referenceEvents(): Array<
  PortDeclared | VesselDesignated | ExemptionGranted | ExemptionRevoked
> {
  return [
    ...portDeclaredEvents(),
    ...designations,
    ...(Object.keys(Exemptions) as ExemptionKey[]).map(granted),
    revokedWater,
  ];
}
