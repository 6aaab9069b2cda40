import { EventTypes } from '@aidwatch/domain';

/**
 * A month of AIS history beside a live feed (docs/time-model.md 5): two history vessels on a source of
 * their own, one silent 20 h on its tenth day, and two live vessels, one going dark after two hours. Used
 * over HTTP (`scenarios/history-beside-live`) and through Kafka (`kafka-history-beside-live`).
 */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const NOW = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
export const HISTORY = '/ais/archive/yellow-sea-2026-10';
export const LIVE = '/ais/live/yellow-sea';
export const HV = '273200001'; // history: silent 20 h on its tenth day
export const HQ = '273200002'; // history: reports all month
export const LV = '538200003'; // live: reports all along
export const LD = '538200004'; // live: goes dark after two hours
export const HIST_START = NOW - 40 * DAY;
export const HIST_END = NOW - 10 * DAY;
export const SILENCE: [number, number] = [HIST_START + 10 * DAY, HIST_START + 10 * DAY + 20 * HOUR];

export const iso = (ms: number) => new Date(ms).toISOString();

/** Fixes every `everyMin` minutes over [from, to], moving east at about 1 km/h, none within `silence`. */
export function fixes(
  mmsi: string,
  source: string,
  from: number,
  to: number,
  everyMin: number,
  lat: number,
  silence?: [number, number],
) {
  const out = [];
  for (let t = from; t <= to; t += everyMin * 60_000) {
    if (silence && t >= silence[0] && t < silence[1]) continue;
    const lon = 123.0 + ((t - from) / HOUR) * 0.011;
    out.push({
      specversion: '1.0' as const,
      id: `${mmsi}-${t}`,
      source,
      type: EventTypes.VesselPositionReported,
      subject: mmsi,
      time: iso(t),
      datacontenttype: 'application/json',
      data: { mmsi, lat, lon: ((lon + 180) % 360) - 180, sog: 0.6, at: iso(t) },
    });
  }
  return out;
}

export const byTime = <E extends { data: { at: string } }>(...lists: E[][]): E[] =>
  lists.flat().sort((a, b) => Date.parse(a.data.at) - Date.parse(b.data.at));
