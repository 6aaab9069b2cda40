import type { CloudEvent } from '@aidwatch/domain';
import { simulateTraffic } from '@aidwatch/maritime';

/** The simulated period's start and length for the pipeline bench's fleets. */
export const FLEET_START = '2026-06-01T00:00:00.000Z';
export const FLEET_HOURS = 4;

/** The simulator's fleet over a fixed period, thinned so that every fleet size yields about `events` events. */
export function fleetEvents(
  vessels: number,
  events: number,
  seed: number,
  start = FLEET_START,
  hours = FLEET_HOURS,
): CloudEvent[] {
  const plan = (downsample: number) =>
    simulateTraffic({ vessels, hours, seed, start, downsample, anomalySets: 0 });
  // About 140 reports per vessel-hour at the ITU-R M.1371 rates of this simulator; one correction after a count.
  let downsample = Math.max(1, Math.round((vessels * hours * 140) / events));
  let sim = plan(downsample);
  const count = sim.countEvents();
  if (Math.abs(count - events) > events * 0.15) {
    downsample = Math.max(1, Math.round((downsample * count) / events));
    sim = plan(downsample);
  }
  return [...sim.events()] as CloudEvent[];
}
