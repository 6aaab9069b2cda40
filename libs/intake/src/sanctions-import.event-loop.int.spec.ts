import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { importSanctionsList } from './sanctions-import';
import { largeSdnCsv } from './testing/large-sdn-csv';

// How long the event loop is blocked is measured by `npm run bench:sanctions` (a ratio-free target: no block
// over 100 ms), not here: this test checks the structure that keeps it short, whatever the machine's speed.
describe('importing a large sanctions list', () => {
  it('yields to the event loop while it parses and appends: other work runs many times during the import', async () => {
    const csv = largeSdnCsv(120_000, 3_000);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(30_000_000);
    const store = EmbeddedEventStore.temporary();
    const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
    // A chain of setImmediate callbacks beside the import: each turn of the loop the import gives back runs one.
    let turns = 0;
    let running = true;
    const spin = () => {
      turns += 1;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    try {
      const report = await importSanctionsList(store, intake, csv, { format: 'ofac-sdn-csv' });
      expect(report.imported).toBe(3_000);
      // 3,000 designations appended 50 at a time give at least 60 turns; parsing on a worker thread adds more.
      expect(turns).toBeGreaterThanOrEqual(60);
    } finally {
      running = false;
      await store.close();
    }
  }, 120_000);
});
