import { EmbeddedEventStore } from '@aidwatch/event-store';
import { AidwatchMetrics } from '@aidwatch/observability';
import { EventIntake } from './event-intake';
import { describeSanctionsImport, importSanctionsList } from './sanctions-import';

const row = (ref: number, name: string, imo: string) =>
  `${ref},"${name}","vessel","DPRK3",-0- ,-0- ,"Oil Tanker",-0- ,"1665","Korea, North",-0- ,"Vessel Registration Identification IMO ${imo}."\r\n`;

describe('the sanctions import report', () => {
  it('counts a skipped entry as skipped only, never as imported', async () => {
    const store = EmbeddedEventStore.temporary();
    try {
      const intake = new EventIntake(store, new AidwatchMetrics({ defaultMetrics: false }));
      // The second vessel's name is longer than intake's text limit (4096): its event would be refused.
      const csv = row(22720, 'YU JONG 2', '8604917') + row(24343, 'X'.repeat(5000), '8106496') + '\x1a';
      const report = await importSanctionsList(store, intake, csv, { format: 'ofac-sdn-csv' });
      expect(report).toMatchObject({ listed: 2, imported: 1, designated: 1, changed: 0, appended: 1 });
      expect(report.skipped).toEqual([
        { reference: '24343', reason: expect.stringContaining('at most 4096 characters') as string },
      ]);
      expect(describeSanctionsImport(report)).toContain(
        '1 imported (1 new, 0 changed), 0 unchanged, 0 revoked',
      );
      expect(describeSanctionsImport(report)).toContain('1 skipped');
      const again = await importSanctionsList(store, intake, csv, { format: 'ofac-sdn-csv' });
      expect(again).toMatchObject({ imported: 0, unchanged: 1, revoked: 0, appended: 0 });
      expect(again.skipped).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
