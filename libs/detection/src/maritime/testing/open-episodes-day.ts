import type { AidEvent } from '@aidwatch/domain';
import { byTime, hours, minutes, OPEN_SEA, offsetKm, position, track } from './maritime-scenario';

export const MET_A = '445100011';
export const MET_B = '352100012';
export const DRIFTER = '412100013';
export const DARK = '440100014';

/** The event times (ms) at which `openEpisodesDay` was checkpointed: each rule holds an open flagged episode. */
export const CHECKPOINT_TIMES = [hours(13.5), hours(15)];

/**
 * A day with flagged episodes open at once: an encounter of `MET_A` and `MET_B` (10 h to 16 h), a loitering
 * run of `DRIFTER` (8 h to 20 h) and an AIS gap of `DARK` (silent from 1 h, back at 17 h away from port).
 */
export function openEpisodesDay(): AidEvent[] {
  const drifting = { everyMinutes: 10, sog: 0, reportedSog: 0.6 };
  return byTime(
    track(MET_A, { ...drifting, from: OPEN_SEA, start: hours(10), count: 48 }),
    track(MET_B, { ...drifting, from: offsetKm(OPEN_SEA, 0.25, 0.1), start: hours(10), count: 37 }),
    track(MET_B, {
      from: offsetKm(OPEN_SEA, 0.25, 0.1),
      start: hours(16.2),
      everyMinutes: 10,
      count: 20,
      sog: 11,
      courseDeg: 200,
    }),
    track(DRIFTER, {
      from: offsetKm(OPEN_SEA, 60, -40),
      start: hours(8),
      everyMinutes: 10,
      count: 72,
      sog: 0.3,
      reportedSog: 1.1,
    }),
    track(DARK, {
      from: offsetKm(OPEN_SEA, -80, 20),
      start: minutes(0),
      everyMinutes: 10,
      count: 7,
      sog: 12,
    }),
    [position(DARK, hours(17), offsetKm(OPEN_SEA, 100, 100), 12)],
  );
}
