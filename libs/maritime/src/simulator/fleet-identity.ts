import type { Prng } from './prng';

export interface VesselIdentity {
  mmsi: string;
  imo: string;
  name: string;
  callsign: string;
  flag: string;
  /** AIS ship and cargo type: 70 cargo, 80 tanker. */
  shipType: number;
}

// MIDs per flag state (ITU), so a vessel's MMSI always agrees with the flag it reports.
// prettier-ignore
const MIDS: Record<string, string[]> = {
  KP: ['445'], CN: ['412', '413', '414'], KR: ['440', '441'], JP: ['431', '432'], RU: ['273'],
  PA: ['351', '352', '353', '354', '355', '356', '357', '370', '371', '372', '373'], HK: ['477'], SL: ['667'],
  TG: ['671'], MN: ['457'], KM: ['620'], BZ: ['312'], KN: ['341'], TV: ['572'], PW: ['511'], MH: ['538'],
  LR: ['636'], VU: ['577'],
};

// Regional trade, with the registries that recur in sanctions reporting on DPRK shipping.
// prettier-ignore
const FLAG_WEIGHTS: [string, number][] = [
  ['KP', 20], ['CN', 25], ['KR', 12], ['JP', 10], ['RU', 8], ['PA', 7], ['HK', 4], ['SL', 3], ['TG', 3],
  ['MN', 2], ['KM', 2], ['BZ', 1], ['MH', 1], ['LR', 1], ['PW', 1],
];

/** Flags of convenience a renamed vessel may switch to. */
export const CONVENIENCE_FLAGS = ['SL', 'TG', 'MN', 'KM', 'BZ', 'KN', 'TV', 'PW', 'VU', 'PA'] as const;

// prettier-ignore
const SYLLABLES: Record<string, string[]> = {
  KP: ['CHON', 'MA', 'SAN', 'PAEK', 'RYE', 'SONG', 'GANG', 'KUM', 'UN', 'JI', 'HYANG', 'SAM', 'JONG', 'RA', 'NAM', 'PHO', 'MYONG', 'SIN'],
  CN: ['XIN', 'HAI', 'HUA', 'YANG', 'TONG', 'DA', 'JIN', 'FU', 'SHUN', 'HONG', 'AN', 'LONG', 'CHANG', 'MING', 'YUAN'],
  KR: ['HAN', 'DONG', 'BANG', 'SUN', 'KWANG', 'MYUNG', 'SEO', 'HAE', 'JIN', 'YANG', 'SUNG', 'WOO'],
  JP: ['MARU', 'SHIN', 'KAI', 'HO', 'TOKU', 'FUKU', 'TAKA', 'YAMA', 'SHO', 'EI', 'KYO', 'NISSHIN'],
  RU: ['VOSTOK', 'ZARYA', 'PRIMORYE', 'AMUR', 'SOKOL', 'NADEZHDA', 'KAPITAN', 'BEREG', 'SIBIR', 'OKEAN'],
  OTHER: ['OCEAN', 'STAR', 'GLORY', 'PEARL', 'LUCKY', 'FORTUNE', 'ASIA', 'GRACE', 'SUNRISE', 'HARMONY', 'PACIFIC', 'NOBLE', 'VICTORY', 'BRIGHT'],
};

// Call sign prefixes from the ITU series allocated to each state.
// prettier-ignore
const CALLSIGN_PREFIX: Record<string, string> = {
  KP: 'HM', CN: 'B', KR: 'D7', JP: 'J', RU: 'U', PA: '3E', HK: 'VR', SL: '9L', TG: '5V', MN: 'JV', KM: 'D6',
  BZ: 'V3', KN: 'V4', TV: 'T2', PW: 'T8', MH: 'V7', LR: 'A8', VU: 'YJ',
};

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function pickFlag(rng: Prng): string {
  const total = FLAG_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng.next() * total;
  for (const [flag, weight] of FLAG_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return flag;
  }
  return FLAG_WEIGHTS[0][0];
}

export function newMmsi(rng: Prng, flag: string, taken: Set<string>): string {
  for (;;) {
    const mmsi = rng.pick(MIDS[flag] ?? MIDS.PA) + String(rng.int(100_000, 999_999));
    if (!taken.has(mmsi)) {
      taken.add(mmsi);
      return mmsi;
    }
  }
}

/** A 7-digit IMO number with a valid check digit (weights 7..2 on the first six digits). */
export function newImo(rng: Prng, taken: Set<string>): string {
  for (;;) {
    const six = String(rng.int(800_000, 989_999));
    const sum = [...six].reduce((s, d, i) => s + Number(d) * (7 - i), 0);
    const imo = six + String(sum % 10);
    if (!taken.has(imo)) {
      taken.add(imo);
      return imo;
    }
  }
}

export function isValidImo(imo: string): boolean {
  if (!/^\d{7}$/.test(imo)) return false;
  const sum = [...imo.slice(0, 6)].reduce((s, d, i) => s + Number(d) * (7 - i), 0);
  return sum % 10 === Number(imo[6]);
}

export function newName(rng: Prng, flag: string, taken: Set<string>): string {
  const syllables = SYLLABLES[flag] ?? SYLLABLES.OTHER;
  for (;;) {
    const words = flag === 'KP' || flag === 'CN' ? 2 + rng.int(0, 1) : 2;
    const parts = Array.from({ length: words }, () => rng.pick(syllables));
    const number = rng.chance(0.5) ? ` ${rng.int(1, 99)}` : '';
    const name = `${parts.join(' ')}${number}`.slice(0, 20);
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

export function newCallsign(rng: Prng, flag: string): string {
  const prefix = CALLSIGN_PREFIX[flag] ?? '3E';
  let tail = '';
  while (prefix.length + tail.length < 5)
    tail += rng.chance(0.7) ? rng.pick([...LETTERS]) : String(rng.int(2, 9));
  return prefix + tail;
}

export function newIdentity(
  rng: Prng,
  taken: { mmsis: Set<string>; imos: Set<string>; names: Set<string> },
): VesselIdentity {
  const flag = pickFlag(rng);
  return {
    mmsi: newMmsi(rng, flag, taken.mmsis),
    imo: newImo(rng, taken.imos),
    name: newName(rng, flag, taken.names),
    callsign: newCallsign(rng, flag),
    flag,
    shipType: rng.chance(0.65) ? 70 : 80,
  };
}
