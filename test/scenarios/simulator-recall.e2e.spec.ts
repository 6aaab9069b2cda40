import { isSuperseded } from '@aidwatch/alerts';
import { DetectionEngine, defaultDetectionConfig } from '@aidwatch/detection';
import type { AidEvent, Flag, RuleId } from '@aidwatch/domain';
import {
  defaultPorts,
  portDeclaredEvents,
  simulateTraffic,
  STATIC_REPORT_INTERVAL_MS,
  VESSELS_PER_ANOMALY_SET,
  type AnomalyRule,
  type PlantedAnomaly,
  type TrafficSimulation,
} from '@aidwatch/maritime';

// The simulator's ground truth against the production detectors at their default thresholds: every planted
// anomaly must be flagged, and nothing else may be. 30 h is the shortest period in which every kind fits
// (a 13-16 h gap after the voyage out); the runs cover full-rate reporting and thinned receiver coverage.

const START = '2026-11-01T00:00:00Z';
const FLEET = { vessels: 21, hours: 30 };
const H = 3_600_000;
const config = defaultDetectionConfig();
const PLANTED_KINDS: AnomalyRule[] = [
  'ais-gap',
  'draught-change',
  'encounter',
  'identity-change',
  'loitering',
];

/**
 * Flags a planted anomaly may legitimately bring along on its own vessels, with the reason. None so far, and
 * on purpose: encounters last 2.5-3.5 h, short of loitering's 4 h; a vessel that goes dark reappears where
 * it vanished, so no implied-speed jump; a rename keeps MMSI and IMO, so its flag and MID flags are the
 * identity change itself. Anything not planted, on any vessel, is a false alarm.
 */
const CONSEQUENCES: { planted: AnomalyRule; rule: RuleId; why: string }[] = [];

interface Detection {
  sim: TrafficSimulation;
  events: number;
  /** The newest version of every flag raised (one per fingerprint). */
  flags: Flag[];
  /** Flags cleared other than by a newer version of themselves. */
  withdrawn: Map<string, string>;
}

function detect(seed: number, downsample: number): Detection {
  const sim = simulateTraffic({ ...FLEET, seed, downsample, start: START });
  const engine = new DetectionEngine(config, defaultPorts());
  const latest = new Map<string, Flag>();
  const withdrawn = new Map<string, string>();
  const feed = (event: AidEvent) => {
    const { raised, cleared } = engine.handle(event);
    for (const c of cleared) if (!isSuperseded(c.reason)) withdrawn.set(c.flagId, c.reason);
    for (const f of raised) latest.set(f.fingerprint, f);
  };
  for (const port of portDeclaredEvents()) feed(port);
  let events = 0;
  for (const event of sim.events()) {
    feed(event);
    events++;
  }
  return { sim, events, flags: [...latest.values()], withdrawn };
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

/** Same rule, same vessel (naming the other one, for an encounter), overlapping the planted period. */
function reports(f: Flag, a: PlantedAnomaly, mmsi: string, marginMs: number): boolean {
  if (f.rule !== a.rule || f.subject.id !== mmsi || !a.mmsis.includes(mmsi)) return false;
  if (a.rule === 'encounter') {
    const partner = a.mmsis.find((m) => m !== mmsi);
    if (f.observed.partnerMmsi !== partner) return false;
  }
  const [from, to] = windowOf(f);
  return from <= Date.parse(a.to) + marginMs && to >= Date.parse(a.from) - marginMs;
}

interface RuleScore {
  planted: number;
  found: number;
  flags: number;
  correct: number;
  consequences: number;
}

function score(d: Detection, downsample: number) {
  // One resample step of the sample-based rules plus one thinned static report interval.
  const margin = config.maritime.resampleMinutes * 60_000 + STATIC_REPORT_INTERVAL_MS * downsample;
  const table = new Map<string, RuleScore>(
    PLANTED_KINDS.map((rule) => [rule, { planted: 0, found: 0, flags: 0, correct: 0, consequences: 0 }]),
  );
  const row = (rule: string): RuleScore => {
    if (!table.has(rule)) table.set(rule, { planted: 0, found: 0, flags: 0, correct: 0, consequences: 0 });
    return table.get(rule) as RuleScore;
  };
  const missed: string[] = [];
  const falseAlarms: string[] = [];
  const standing = d.flags.filter((f) => !d.withdrawn.has(f.flagId));

  for (const a of d.sim.manifest) {
    row(a.rule).planted++;
    // An encounter counts only when each of the two vessels has its own flag naming the other.
    if (a.mmsis.every((mmsi) => standing.some((f) => reports(f, a, mmsi, margin)))) row(a.rule).found++;
    else missed.push(`${a.rule} ${a.mmsis.join('+')} ${a.from}..${a.to}: ${a.detail}`);
  }

  for (const f of d.flags) {
    row(f.rule).flags++;
    const planted = d.sim.manifest.filter((a) => a.mmsis.includes(f.subject.id));
    if (planted.some((a) => reports(f, a, f.subject.id, margin))) row(f.rule).correct++;
    else if (planted.some((a) => CONSEQUENCES.some((c) => c.planted === a.rule && c.rule === f.rule)))
      row(f.rule).consequences++;
    else {
      const role = d.sim.plans.find((p) => p.mmsi === f.subject.id)?.role ?? 'unknown';
      falseAlarms.push(`${f.rule} on ${role} vessel at ${f.raisedAt}: ${f.explanation}`);
    }
  }
  return { table, missed, falseAlarms };
}

function report(seed: number, downsample: number, d: Detection, table: Map<string, RuleScore>, ms: number) {
  const ratio = (n: number, of: number) => (of === 0 ? '-' : (n / of).toFixed(2));
  const cells = (...values: (string | number)[]) =>
    values.map((v, i) => (i === 0 ? String(v).padEnd(16) : String(v).padStart(8))).join('');
  console.log(
    [
      `seed ${seed}, ${FLEET.vessels} vessels x ${FLEET.hours} h, one report in ${downsample}: ` +
        `${d.events} AIS events, ${d.flags.length} flags (${d.withdrawn.size} withdrawn) in ${ms} ms`,
      cells('rule', 'planted', 'found', 'recall', 'flags', 'correct', 'conseq.', 'precis.'),
      ...[...table.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([rule, s]) =>
          cells(
            rule,
            s.planted,
            s.found,
            ratio(s.found, s.planted),
            s.flags,
            s.correct,
            s.consequences,
            ratio(s.correct + s.consequences, s.flags),
          ),
        ),
    ].join('\n'),
  );
}

describe('simulated AIS traffic through the detection engine at default thresholds', () => {
  it.each([
    { seed: 7, downsample: 1 },
    { seed: 11, downsample: 6 },
    { seed: 2026, downsample: 12 },
  ])(
    'seed $seed, one report in $downsample: every planted anomaly is flagged, clean traffic is not',
    ({ seed, downsample }) => {
      const began = performance.now();
      const d = detect(seed, downsample);
      const { table, missed, falseAlarms } = score(d, downsample);
      report(seed, downsample, d, table, Math.round(performance.now() - began));

      // Given a fleet carrying one anomaly of every kind, and clean vessels for the rest,
      expect(d.sim.skipped).toEqual([]);
      expect([...new Set(d.sim.manifest.map((a) => a.rule))].sort()).toEqual(PLANTED_KINDS);
      const clean = new Set(d.sim.plans.filter((p) => p.role === 'clean').map((p) => p.mmsi));
      expect(clean.size).toBe(FLEET.vessels - VESSELS_PER_ANOMALY_SET);
      // then every anomaly has its flag (recall 1.0),
      expect(missed).toEqual([]);
      // no flag speaks of anything not planted (precision 1.0), none lands on a clean vessel,
      expect(falseAlarms).toEqual([]);
      expect(d.flags.filter((f) => clean.has(f.subject.id)).map((f) => f.explanation)).toEqual([]);
      // and no flag had to be taken back.
      expect([...d.withdrawn.values()]).toEqual([]);
    },
  );
});
