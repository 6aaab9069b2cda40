import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { importSanctionsList } from './sanctions-import';

/** An OFAC SDN.CSV as OFAC serves it, grown to tens of MB: `people` individuals and `vessels` vessels. */
function largeSdnCsv(people: number, vessels: number): string {
  const rows: string[] = [];
  for (let i = 0; i < people; i++)
    rows.push(
      `${100000 + i},"PERSON ${i}, Name","individual","DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 12 Mar 1969; POB Nampo, Korea, North; nationality Korea, North; Gender Male; Passport ${i}; an address line that makes the row as long as OFAC's are, and then some more words ${i}."`,
    );
  for (let i = 0; i < vessels; i++) {
    // Ship IMO numbers with a valid check digit: six digits d1..d6, check = sum(d_k * (8 - k)) mod 10.
    const six = String(100000 + i * 37).slice(-6);
    const check = [...six].reduce((sum, d, k) => sum + Number(d) * (7 - k), 0) % 10;
    rows.push(
      `${900000 + i},"VESSEL ${i}","vessel","DPRK3",-0- ,-0- ,"Oil Tanker",-0- ,"1665","Korea, North",-0- ,"Vessel Registration Identification IMO ${six}${check}."`,
    );
  }
  return rows.join('\r\n') + '\r\n\x1a';
}

describe('importing a large sanctions list', () => {
  it('keeps the event loop responsive: no block longer than 100 ms', async () => {
    const csv = largeSdnCsv(120_000, 3_000);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(30_000_000);
    const store = EmbeddedEventStore.temporary();
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    // A ticker beside the import: the longest gap between its ticks is the longest block it saw.
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    try {
      delay.enable();
      const started = performance.now();
      const report = await importSanctionsList(store, intake, csv, { format: 'ofac-sdn-csv' });
      const took = performance.now() - started;
      delay.disable();
      const maxMs = delay.max / 1e6;
      process.stdout.write(
        `large list: ${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB, ${report.imported} imported in ${took.toFixed(0)} ms; ` +
          `event-loop delay max ${maxMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; longest tick gap ${longestGap.toFixed(1)} ms\n`,
      );
      expect(report.imported).toBe(3_000);
      expect(maxMs).toBeLessThanOrEqual(100);
      expect(longestGap).toBeLessThanOrEqual(110);
    } finally {
      clearInterval(ticker);
      await store.close();
    }
  }, 120_000);
});
