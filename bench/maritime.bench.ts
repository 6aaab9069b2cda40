// Throughput and memory of the maritime detectors on synthetic AIS traffic in the Yellow Sea / Sea of Japan.
// Run: npm run bench (node --expose-gc). Prints, for 1k, 10k and 100k vessels, messages/s of a bare JSON.parse
// loop and of JSON.parse + MaritimeDetector.handle over the same messages, time growth, and heap per vessel.
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { AidEvent } from '@aidwatch/domain';
import { EventTypes } from '@aidwatch/domain';
import { maritimeConfig } from '../libs/detection/src/maritime/maritime-config';
import { MaritimeDetector } from '../libs/detection/src/maritime/maritime-detector';
import type { PortRecord } from '../libs/detection/src/maritime/port-index';

const SIZES = (process.env.BENCH_VESSELS ?? '1000,10000,100000').split(',').map(Number);
const SPAN_HOURS = 14;
// Small batches, so the generated messages waiting to be parsed weigh little on the young generation.
const TICK_MS = 10_000;
const START = Date.parse('2026-11-20T00:00:00.000Z');
const BOX = { minLat: 32, maxLat: 42, minLon: 120, maxLon: 135 };
const KM_PER_DEG_LAT = 111.2;

const PORTS: PortRecord[] = [
  { locode: 'KPNAM', name: 'Nampo', lat: 38.73, lon: 125.38, radiusKm: 3 },
  { locode: 'KPHAE', name: 'Haeju', lat: 38.02, lon: 125.71, radiusKm: 2 },
  { locode: 'KPCHO', name: 'Chongjin', lat: 41.77, lon: 129.82, radiusKm: 3 },
  { locode: 'KPWON', name: 'Wonsan', lat: 39.17, lon: 127.45, radiusKm: 3 },
  { locode: 'KPRJN', name: 'Rajin', lat: 42.25, lon: 130.3, radiusKm: 2 },
  { locode: 'KPHGM', name: 'Hungnam', lat: 39.83, lon: 127.63, radiusKm: 2 },
  { locode: 'CNDLC', name: 'Dalian', lat: 38.93, lon: 121.65, radiusKm: 5 },
  { locode: 'CNTAO', name: 'Qingdao', lat: 36.07, lon: 120.32, radiusKm: 5 },
  { locode: 'CNYNT', name: 'Yantai', lat: 37.55, lon: 121.4, radiusKm: 3 },
  { locode: 'CNLYG', name: 'Lianyungang', lat: 34.75, lon: 119.45, radiusKm: 3 },
  { locode: 'CNDDG', name: 'Dandong', lat: 39.82, lon: 124.15, radiusKm: 3 },
  { locode: 'KRINC', name: 'Incheon', lat: 37.45, lon: 126.6, radiusKm: 4 },
  { locode: 'KRPUS', name: 'Busan', lat: 35.1, lon: 129.04, radiusKm: 5 },
  { locode: 'KRPTK', name: 'Pyeongtaek', lat: 36.97, lon: 126.83, radiusKm: 3 },
  { locode: 'KRMOK', name: 'Mokpo', lat: 34.78, lon: 126.38, radiusKm: 2 },
  { locode: 'RUVVO', name: 'Vladivostok', lat: 43.1, lon: 131.9, radiusKm: 4 },
  { locode: 'RUNJK', name: 'Nakhodka', lat: 42.8, lon: 132.9, radiusKm: 3 },
  { locode: 'JPNII', name: 'Niigata', lat: 37.95, lon: 139.06, radiusKm: 3 },
  { locode: 'JPSMZ', name: 'Sakaiminato', lat: 35.54, lon: 133.23, radiusKm: 2 },
  { locode: 'JPMOJ', name: 'Moji', lat: 33.95, lon: 130.96, radiusKm: 3 },
];

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enum Kind {
  Transit,
  Drifter,
  Pair,
  Dark,
  Carrier,
}

/** Vessels as columns (no per-vessel objects, so the simulator barely shows in the heap). */
class Fleet {
  readonly mmsi: string[] = [];
  readonly kind: Uint8Array;
  readonly lat: Float64Array;
  readonly lon: Float64Array;
  readonly dLat: Float64Array; // degrees per ms
  readonly dLon: Float64Array;
  readonly sog: Float64Array;
  readonly cog: Float64Array;
  readonly every: Float64Array;
  readonly nextAt: Float64Array;
  readonly nextStaticAt: Float64Array;
  readonly darkAt: Float64Array;
  readonly resumeAt: Float64Array;
  readonly draught: Float64Array;
  private readonly lastMoved: Float64Array;
  readonly onBoard = new Map<string, string[]>();
  readonly registrations: string[] = [];
  private seq = 0;
  private readonly idPrefix: string;
  private isoBase = 0;
  private isoCache: string[] = [];

  constructor(
    readonly n: number,
    private readonly rnd: () => number,
  ) {
    const f64 = () => new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.lastMoved = new Float64Array(n);
    const hex = () =>
      Math.floor(rnd() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    this.idPrefix = `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-8${hex().slice(1)}-`;
    [this.lat, this.lon, this.dLat, this.dLon, this.sog, this.cog] = [
      f64(),
      f64(),
      f64(),
      f64(),
      f64(),
      f64(),
    ];
    [this.every, this.nextAt, this.nextStaticAt, this.darkAt, this.resumeAt, this.draught] = [
      f64(),
      f64(),
      f64(),
      f64(),
      f64(),
      f64(),
    ];
    const leader = new Uint8Array(n);
    const mids = ['412', '413', '440', '441', '431', '273', '352', '370', '445', '511', '667', '538'];
    for (let i = 0; i < n; i++) {
      this.mmsi.push(`${mids[i % mids.length]}${String(100000 + i).padStart(6, '0')}`);
      const r = rnd();
      // 3 % lead a pair; the next vessel follows its leader.
      const follows = i > 0 && leader[i - 1] === 1;
      const kind = follows
        ? Kind.Pair
        : r < 0.78
          ? Kind.Transit
          : r < 0.88
            ? Kind.Drifter
            : r < 0.91
              ? Kind.Pair
              : r < 0.99
                ? Kind.Dark
                : Kind.Carrier;
      if (kind === Kind.Pair && !follows) leader[i] = 1;
      this.kind[i] = kind;
      this.lat[i] = BOX.minLat + 0.5 + rnd() * (BOX.maxLat - BOX.minLat - 1);
      this.lon[i] = BOX.minLon + 0.5 + rnd() * (BOX.maxLon - BOX.minLon - 1);
      const slow = kind === Kind.Drifter || kind === Kind.Pair;
      this.setCourse(i, rnd() * 360, slow ? 0.2 + rnd() * 1.3 : 8 + rnd() * 8);
      this.every[i] = (6 + rnd() * 12) * 60_000;
      this.nextAt[i] = START + Math.round((rnd() * this.every[i]) / 1000) * 1000;
      this.nextStaticAt[i] = START + rnd() * 3_600_000;
      this.darkAt[i] = kind === Kind.Dark ? START + (0.5 + rnd() * 0.5) * 3_600_000 : Infinity;
      this.resumeAt[i] = kind === Kind.Dark && rnd() < 0.5 ? this.darkAt[i] + 12.5 * 3_600_000 : Infinity;
      this.draught[i] = 4 + Math.round(rnd() * 80) / 10;
    }
    // A follower sits 150–400 m north of its leader, on the same course.
    for (let i = 1; i < n; i++) {
      if (leader[i - 1] !== 1) continue;
      this.lat[i] = this.lat[i - 1] + (0.15 + rnd() * 0.25) / KM_PER_DEG_LAT;
      this.lon[i] = this.lon[i - 1];
      this.dLat[i] = this.dLat[i - 1];
      this.dLon[i] = this.dLon[i - 1];
      this.sog[i] = this.sog[i - 1];
      this.nextAt[i] = this.nextAt[i - 1];
      this.every[i] = this.every[i - 1];
    }
    for (let i = 0; i < n; i++) {
      if (this.kind[i] !== Kind.Carrier) continue;
      const id = `C-${i}`;
      this.onBoard.set(this.mmsi[i], [id]);
      const ahead = (h: number) => ({
        lat: this.lat[i] + this.dLat[i] * h * 3_600_000,
        lon: this.lon[i] + this.dLon[i] * h * 3_600_000,
      });
      const route =
        i % 5 === 0
          ? [ahead(0), ahead(3), { lat: ahead(3).lat + 1.5, lon: ahead(3).lon }]
          : [ahead(0), ahead(SPAN_HOURS)];
      this.registrations.push(
        JSON.stringify({
          specversion: '1.0',
          id: this.uuid(),
          source: 'urn:aidwatch:bench:agency',
          type: EventTypes.ConsignmentRegistered,
          subject: id,
          time: new Date(START - 3_600_000).toISOString(),
          data: {
            consignmentId: id,
            exemptionId: 'EX-1',
            billOfLading: `BL-${i}`,
            items: [{ itemCode: 'RICE', quantity: 500, unit: 't' }],
            originPort: 'CNDLC',
            destinationPort: 'KPNAM',
            vessel: { mmsi: this.mmsi[i] },
            route,
          },
        }),
      );
    }
  }

  /** Messages due in [from, to): positions and static reports as CloudEvent JSON strings. */
  tick(from: number, to: number, out: string[]): { positions: number; statics: number } {
    out.length = 0;
    this.isoBase = from;
    this.isoCache = [];
    let positions = 0;
    let statics = 0;
    for (let i = 0; i < this.n; i++) {
      const at = this.nextAt[i];
      if (at >= to) continue;
      this.nextAt[i] = Math.round((at + this.every[i] * (0.9 + this.rnd() * 0.2)) / 1000) * 1000;
      this.move(i, at);
      if (at >= this.darkAt[i] && at < this.resumeAt[i]) continue;
      out.push(this.position(i, at));
      positions++;
      if (this.nextStaticAt[i] <= at) {
        this.nextStaticAt[i] = at + 3_600_000;
        out.push(this.staticReport(i, at));
        statics++;
      }
    }
    return { positions, statics };
  }

  private move(i: number, at: number): void {
    const dt = at - (this.lastMoved[i] || START);
    this.lastMoved[i] = at;
    this.lat[i] += this.dLat[i] * dt;
    this.lon[i] += this.dLon[i] * dt;
    if (this.lat[i] < BOX.minLat || this.lat[i] > BOX.maxLat) this.dLat[i] = -this.dLat[i];
    if (this.lon[i] < BOX.minLon || this.lon[i] > BOX.maxLon) this.dLon[i] = -this.dLon[i];
  }

  private setCourse(i: number, cogDeg: number, sogKn: number): void {
    const kmPerMs = (sogKn * 1.852) / 3_600_000;
    const rad = (cogDeg * Math.PI) / 180;
    this.cog[i] = cogDeg;
    this.sog[i] = sogKn;
    this.dLat[i] = (kmPerMs * Math.cos(rad)) / KM_PER_DEG_LAT;
    this.dLon[i] = (kmPerMs * Math.sin(rad)) / (KM_PER_DEG_LAT * Math.cos((this.lat[i] * Math.PI) / 180));
  }

  private position(i: number, at: number): string {
    const time = this.isoOf(at);
    const sog = Math.max(0, this.sog[i] + (this.rnd() - 0.5) * 0.4).toFixed(1);
    return (
      `{"specversion":"1.0","id":"${this.uuid()}","source":"urn:aidwatch:bench:ais","type":"${EventTypes.VesselPositionReported}",` +
      `"subject":"${this.mmsi[i]}","time":"${time}","datacontenttype":"application/json","data":{"mmsi":"${this.mmsi[i]}",` +
      `"lat":${this.lat[i].toFixed(6)},"lon":${this.lon[i].toFixed(6)},"sog":${sog},"cog":${this.cog[i].toFixed(1)},` +
      `"heading":${Math.round(this.cog[i])},"navStatus":0,"at":"${time}"}}`
    );
  }

  private staticReport(i: number, at: number): string {
    const time = this.isoOf(at);
    // 1 % of vessels change draught at sea after 5 h, 0.5 % change name after 6 h.
    const draught = this.draught[i] + (i % 100 === 7 && at > START + 5 * 3_600_000 ? 1.5 : 0);
    const renamed = i % 200 === 11 && at > START + 6 * 3_600_000 ? 'B' : 'A';
    return (
      `{"specversion":"1.0","id":"${this.uuid()}","source":"urn:aidwatch:bench:ais","type":"${EventTypes.VesselStaticReported}",` +
      `"subject":"${this.mmsi[i]}","time":"${time}","data":{"mmsi":"${this.mmsi[i]}","imo":"${imoOf(i)}",` +
      `"name":"BENCH ${renamed} ${i}","callsign":"BX${i}","shipType":70,"draught":${draught.toFixed(1)},` +
      `"destination":"NAMPO","at":"${time}"}}`
    );
  }

  /** 36-character ids like the UUIDs producers send: a random per-fleet prefix and a counter. */
  private uuid(): string {
    return `${this.idPrefix}${(this.seq++).toString(16).padStart(12, '0')}`;
  }

  /** ISO times of the current tick, per whole second (generating them is not what is measured). */
  private isoOf(at: number): string {
    const slot = Math.floor((at - this.isoBase) / 1000);
    return (this.isoCache[slot] ??= new Date(at).toISOString());
  }
}

/** A valid IMO number per vessel (check digit computed). */
function imoOf(i: number): string {
  const six = String(100000 + (i % 900000)).padStart(6, '0');
  let sum = 0;
  for (let k = 0; k < 6; k++) sum += Number(six[k]) * (7 - k);
  return `${six}${sum % 10}`;
}

interface RunResult {
  vessels: number;
  positions: number;
  statics: number;
  parseNs: number;
  detectNs: number;
  parseCpuNs: number;
  detectCpuNs: number;
  flags: Record<string, number>;
  heapPerVesselB: number;
  tracked: number;
  stats: ReturnType<MaritimeDetector['stats']>;
  bareGcMs: number;
  fullGcMs: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

// Garbage-collection pauses, attributed later to the timed windows they fall in.
const gcPauses: Array<{ start: number; ms: number }> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

function gcMsWithin(windows: number[]): number {
  let ms = 0;
  for (const pause of gcPauses.splice(0)) {
    for (let i = 0; i < windows.length; i += 2) {
      if (pause.start >= windows[i] && pause.start < windows[i + 1]) {
        ms += pause.ms;
        break;
      }
    }
  }
  return ms;
}
/** JavaScript heap plus array buffers' backing stores (off the heap, but memory the detector holds). */
const heapUsed = (): number => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** The same traffic (same seed) twice: once only parsed, once parsed and handed to the detector. */
async function run(vessels: number, hours: number, seed: number): Promise<RunResult> {
  const bare = pass(vessels, hours, seed, false);
  await settle();
  const bareGcMs = gcMsWithin(bare.windows);
  const full = pass(vessels, hours, seed, true);
  await settle();
  const fullGcMs = gcMsWithin(full.windows);
  return { ...full, parseNs: bare.detectNs, parseCpuNs: bare.detectCpuNs, bareGcMs, fullGcMs };
}

function pass(
  vessels: number,
  hours: number,
  seed: number,
  detect: boolean,
): RunResult & { windows: number[] } {
  const fleet = new Fleet(vessels, prng(seed));
  const EMPTY: string[] = [];
  const linker = { consignmentsOnBoard: (mmsi: string) => fleet.onBoard.get(mmsi) ?? EMPTY };
  const batch: string[] = [];
  const baseline = heapUsed();
  const detector = new MaritimeDetector(maritimeConfig(), PORTS, linker);
  const flags: Record<string, number> = {};
  const count = (raised: readonly { rule: string }[]) => {
    for (const f of raised) flags[f.rule] = (flags[f.rule] ?? 0) + 1;
  };
  let watermark = -Infinity;
  if (detect) for (const msg of fleet.registrations) detector.handle(JSON.parse(msg) as AidEvent);

  let positions = 0;
  let statics = 0;
  let wallNs = 0;
  let cpuTimeNs = 0;
  let checksum = 0;
  const windows: number[] = [];
  for (let t = START; t < START + hours * 3_600_000; t += TICK_MS) {
    const counts = fleet.tick(t, t + TICK_MS, batch);
    positions += counts.positions;
    statics += counts.statics;
    windows.push(performance.now());
    const t0 = process.hrtime.bigint();
    const c0 = cpuNs();
    if (detect) {
      for (let k = 0; k < batch.length; k++) {
        const e = JSON.parse(batch[k]) as AidEvent & { data: { at: string } };
        const at = Date.parse(e.data.at);
        if (at > watermark) watermark = at;
        count(detector.handle(e).raised);
      }
      count(detector.advanceWatermark(watermark).raised);
    } else {
      for (let k = 0; k < batch.length; k++) {
        const e = JSON.parse(batch[k]) as { data: { at: string } };
        checksum += e.data.at.length;
      }
    }
    wallNs += Number(process.hrtime.bigint() - t0);
    cpuTimeNs += cpuNs() - c0;
    windows.push(performance.now());
  }
  if (checksum === 42) console.log('');
  batch.length = 0;
  const after = heapUsed();
  const tracked = detector.tracks.size;
  return {
    vessels,
    positions,
    statics,
    parseNs: 0,
    detectNs: wallNs,
    parseCpuNs: 0,
    detectCpuNs: cpuTimeNs,
    flags,
    heapPerVesselB: tracked > 0 ? (after - baseline) / tracked : 0,
    tracked,
    stats: detector.stats(),
    bareGcMs: 0,
    fullGcMs: 0,
    windows,
  };
}

/** CPU time of this process (all its threads, so garbage collection helpers count too). */
const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

const pct = (ms: number, ns: number): string => `${((ms * 1e6 * 100) / ns).toFixed(0)} %`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  if (!gc) console.warn('run with --expose-gc for heap figures (npm run bench does)');
  console.log(
    `maritime detectors, ${SPAN_HOURS} h of synthetic AIS per size; Node ${process.version}, one core`,
  );
  await run(2_000, 3, 7); // warm-up, not reported
  const results: RunResult[] = [];
  for (const size of SIZES) {
    const r = await run(size, SPAN_HOURS, 1);
    results.push(r);
    const msgs = r.positions + r.statics;
    const rate = (count: number, ns: number) => fmt(count / (ns / 1e9)).padStart(10);
    const parseRate = msgs / (r.parseCpuNs / 1e9);
    const detectRate = msgs / (r.detectCpuNs / 1e9);
    console.log(`\n${fmt(size)} vessels: ${fmt(r.positions)} positions + ${fmt(r.statics)} static reports`);
    console.log('  (per CPU-second of this process; wall-clock rate in brackets)');
    console.log(
      `  bare JSON.parse loop            ${rate(msgs, r.parseCpuNs)} msg/s  [${rate(msgs, r.parseNs).trim()}]`,
    );
    console.log(
      `  JSON.parse + all maritime rules ${rate(msgs, r.detectCpuNs)} msg/s  [${rate(msgs, r.detectNs).trim()}]  ratio ${(detectRate / parseRate).toFixed(2)}`,
    );
    console.log(
      `  positions through the rules     ${rate(r.positions, r.detectCpuNs)} positions/s (statics' time included)`,
    );
    console.log(
      `  rules alone (minus parse)       ${rate(msgs, r.detectCpuNs - r.parseCpuNs)} msg/s  ${((r.detectCpuNs - r.parseCpuNs) / msgs / 1000).toFixed(2)} µs/msg`,
    );
    console.log(
      `  memory per tracked vessel       ${fmt(r.heapPerVesselB).padStart(12)} B  (heap + array buffers; ${fmt(r.tracked)} tracked; 200,000 → ${((r.heapPerVesselB * 200_000) / 2 ** 20).toFixed(0)} MiB)`,
    );
    console.log(
      `  GC pauses in the timed loops    bare ${fmt(r.bareGcMs)} ms (${pct(r.bareGcMs, r.parseNs)}), ` +
        `with rules ${fmt(r.fullGcMs)} ms (${pct(r.fullGcMs, r.detectNs)} of wall time)`,
    );
    console.log(`  flags raised                    ${JSON.stringify(r.flags)}`);
    console.log(
      `  state                           open encounters ${r.stats.openEncounters}, in grid ${fmt(r.stats.vesselsInGrid)}, late/dup/invalid ${r.stats.lateMerged}/${r.stats.duplicates}/${r.stats.invalid}`,
    );
  }
  console.log('\ntime growth (CPU time of JSON.parse + rules, against the first size):');
  const [base] = results;
  for (const r of results) {
    const msgs = r.positions + r.statics;
    console.log(
      `  ${fmt(r.vessels).padStart(7)} vessels: ×${(r.vessels / base.vessels).toFixed(0).padStart(3)} vessels, ` +
        `×${(msgs / (base.positions + base.statics)).toFixed(1).padStart(5)} messages, ×${(r.detectCpuNs / base.detectCpuNs).toFixed(1).padStart(5)} time, ` +
        `${(r.detectCpuNs / msgs / 1000).toFixed(2)} µs/msg`,
    );
  }
}

void main();
