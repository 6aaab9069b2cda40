import { DetectionEngine, defaultDetectionConfig } from '@aidwatch/detection';
import type { AidEvent, Flag, RuleId } from '@aidwatch/domain';
import {
  defaultPorts,
  portDeclaredEvents,
  simulateTraffic,
  STATIC_REPORT_INTERVAL_MS,
  type PlantedAnomaly,
  type TrafficSimulation,
} from '@aidwatch/maritime';

// Ground truth against the production detectors: every anomaly the AIS simulator plants must be flagged at
// the default thresholds, and its clean traffic must not be flagged at all.

const START = '2026-11-01T00:00:00Z';
const FLEET = { vessels: 21, hours: 30, downsample: 6 };
const H = 3_600_000;
const config = defaultDetectionConfig();
// A flag's time may miss the planted window by one resample step plus one (thinned) static report interval.
const MARGIN_MS = config.maritime.resampleMinutes * 60_000 + STATIC_REPORT_INTERVAL_MS * FLEET.downsample;

/**
 * Flags a planted anomaly may bring along on its own vessels besides its own rule, and why. Anything else
 * on an anomalous vessel, and anything at all on a clean one, is a false alarm.
 */
const CONSEQUENCES: { planted: PlantedAnomaly['rule']; rule: RuleId; why: string }[] = [];

interface Detection {
  sim: TrafficSimulation;
  /** Newest flag of every fingerprint. */
  flags: Flag[];
  /** Flag ids that were cleared for good (not superseded by a newer version). */
  withdrawn: Set<string>;
}

function detect(seed: number): Detection {
  const sim = simulateTraffic({ ...FLEET, seed, start: START });
  const engine = new DetectionEngine(config, defaultPorts());
  const latest = new Map<string, Flag>();
  const withdrawn = new Set<string>();
  const feed = (event: AidEvent) => {
    const { raised, cleared } = engine.handle(event);
    for (const c of cleared) if (c.reason !== 'superseded by new evidence') withdrawn.add(c.flagId);
    for (const f of raised) latest.set(f.fingerprint, f);
  };
  for (const port of portDeclaredEvents({ time: START })) feed(port);
  for (const event of sim.events()) feed(event);
  return { sim, flags: [...latest.values()], withdrawn };
}

/** The period a flag speaks of: its episode where it has one, else the moment it was raised. */
function windowOf(f: Flag): [number, number] {
  const end = Date.parse(f.raisedAt);
  const o = f.observed;
  switch (f.rule) {
    case 'encounter':
    case 'loitering':
      return [end - (o.hours as number) * H, end];
    case 'ais-gap':
      return [Date.parse(o.silentSince as string), end];
    case 'draught-change':
      return [Date.parse(o.previousReportAt as string), end];
    default:
      return [end, end];
  }
}

/** Whether a flag reports this planted anomaly on vessel `mmsi`: same rule, vessel, partner and time. */
function reports(f: Flag, a: PlantedAnomaly, mmsi: string): boolean {
  if (f.rule !== a.rule || f.subject.id !== mmsi) return false;
  if (a.rule === 'encounter' && !a.mmsis.includes(f.observed.partnerMmsi as string)) return false;
  const [from, to] = windowOf(f);
  return from <= Date.parse(a.to) + MARGIN_MS && to >= Date.parse(a.from) - MARGIN_MS;
}

interface RuleScore {
  planted: number;
  found: number;
  flags: number;
  correct: number;
  consequences: number;
}

function score(d: Detection) {
  const table: Record<string, RuleScore> = {};
  const row = (rule: string) =>
    (table[rule] ??= { planted: 0, found: 0, flags: 0, correct: 0, consequences: 0 });
  const missed: string[] = [];
  const falseAlarms: string[] = [];
  const standing = d.flags.filter((f) => !d.withdrawn.has(f.flagId));

  for (const a of d.sim.manifest) {
    row(a.rule).planted++;
    // An encounter is found only when each of the two vessels has its own flag naming the other.
    const found = a.mmsis.every((mmsi) => standing.some((f) => reports(f, a, mmsi)));
    if (found) row(a.rule).found++;
    else missed.push(`${a.rule} ${a.mmsis.join('+')} ${a.from}..${a.to}: ${a.detail}`);
  }

  for (const f of d.flags) {
    row(f.rule).flags++;
    const mmsi = f.subject.id;
    const planted = d.sim.manifest.filter((a) => a.mmsis.includes(mmsi));
    if (planted.some((a) => reports(f, a, mmsi))) row(f.rule).correct++;
    else if (planted.some((a) => CONSEQUENCES.some((c) => c.planted === a.rule && c.rule === f.rule)))
      row(f.rule).consequences++;
    else {
      const role = d.sim.plans.find((p) => p.mmsi === mmsi)?.role ?? 'unknown';
      falseAlarms.push(`${f.rule} on ${role} vessel ${mmsi} at ${f.raisedAt}: ${f.explanation}`);
    }
  }
  return { table, missed, falseAlarms };
}

function printTable(seed: number, d: Detection, table: Record<string, RuleScore>, ms: number): void {
  const ratio = (n: number, of: number) => (of === 0 ? '-' : (n / of).toFixed(2));
  const lines = Object.entries(table)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([rule, s]) =>
        `${rule.padEnd(16)} ${String(s.planted).padStart(7)} ${String(s.found).padStart(5)} ` +
        `${ratio(s.found, s.planted).padStart(6)} ${String(s.flags).padStart(5)} ` +
        `${String(s.consequences).padStart(12)} ${ratio(s.correct + s.consequences, s.flags).padStart(9)}`,
    );
  console.log(
    [
      `seed ${seed}: ${FLEET.vessels} vessels x ${FLEET.hours} h, 1 report in ${FLEET.downsample}, ` +
        `${d.sim.countEvents()} AIS events, ${ms} ms`,
      'rule             planted found recall flags consequences precision',
      ...lines,
    ].join('\n'),
  );
}

describe('AIS simulator ground truth against the detectors at their defaults', () => {
  it.each([7, 11, 2026])('seed %i: every planted anomaly is flagged, clean traffic is not', (seed) => {
    const began = performance.now();
    const d = detect(seed);
    const { table, missed, falseAlarms } = score(d);
    printTable(seed, d, table, Math.round(performance.now() - began));

    expect(d.sim.skipped).toEqual([]);
    expect(new Set(d.sim.manifest.map((a) => a.rule))).toEqual(
      new Set(['encounter', 'ais-gap', 'loitering', 'draught-change', 'identity-change']),
    );
    expect(missed).toEqual([]);
    expect(falseAlarms).toEqual([]);
    const clean = new Set(d.sim.plans.filter((p) => p.role === 'clean').map((p) => p.mmsi));
    expect(clean.size).toBe(FLEET.vessels - 7);
    expect(d.flags.filter((f) => clean.has(f.subject.id))).toEqual([]);
  });
});
