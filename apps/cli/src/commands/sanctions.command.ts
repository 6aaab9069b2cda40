import type { Command } from 'commander';
import { rebuildFromZero } from '@aidwatch/audit';
import { detectionConfigFrom } from '@aidwatch/detection';
import {
  readFileAtMost,
  describeSanctionsImport,
  importSanctionsList,
  SanctionsImportError,
  type SanctionsImportReport,
} from '@aidwatch/intake';
import { defaultPorts } from '@aidwatch/maritime';
import { AidwatchMetrics } from '@aidwatch/observability';
import { DetectionProjection } from '@aidwatch/projections';
import { MAX_SANCTIONS_FILE_BYTES, SanctionsFormats } from '@aidwatch/sanctions';
import { eventIntakeOf } from '../../../ingestor/src/event-intake.factory';
import { ExitCode } from '../cli-program';
import { openReadableStore, print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface SanctionsImportOptions extends StoreOptions {
  format?: string;
  alt?: string;
  dryRun?: boolean;
  allowEmpty?: boolean;
  detect: boolean;
}

/**
 * `aidwatch sanctions import <file>`: reads a sanctions list in its published format (OFAC SDN CSV or XML,
 * UN Security Council Consolidated List XML; detected from the content unless `--format` says) and brings
 * the store's designations of that list in line with it: new listings designated, changed ones designated
 * again, listings the file no longer holds revoked. Then runs detection over the store, as `aidwatch demo`
 * does (unless `--no-detect`). Exit 0 done, 1 an event id stored with other content, 2 bad usage: an
 * unreadable file, not the format, or an empty list that would revoke every listing (`--allow-empty`).
 */
export function registerSanctionsCommand(program: Command): void {
  const sanctions = program.command('sanctions').description('sanctions lists: import designated vessels');
  withStoreOptions(
    sanctions
      .command('import')
      .argument('<file>', 'the list file as published (SDN.CSV, SDN.XML or the UN consolidated.xml)')
      .description(
        'designate the vessels a sanctions list names and revoke those it no longer names; an unchanged list appends nothing',
      )
      .option('--format <format>', `the file's format (${SanctionsFormats.join(', ')}); detected by default`)
      .option('--alt <file>', "OFAC's ALT.CSV: the aliases of the vessels of an SDN.CSV")
      .option('--dry-run', 'report what would be appended, append nothing')
      .option('--allow-empty', 'accept a list without vessels (revokes every listing of that list)')
      .option('--no-detect', 'append the events only; a running detector raises the flags'),
  ).action(async (file: string, options: SanctionsImportOptions) => {
    // At most the largest list file: a device or a pipe (/dev/zero) is refused, not read without end.
    const read = async (name: string): Promise<Buffer> => {
      try {
        return await readFileAtMost(name, MAX_SANCTIONS_FILE_BYTES);
      } catch (error) {
        throw new UsageError(`cannot read ${name}: ${(error as Error).message}`);
      }
    };
    const content = await read(file);
    const ofacAliases = options.alt === undefined ? undefined : await read(options.alt);
    const { store, config } = openReadableStore(options, { create: true });
    let report: SanctionsImportReport;
    let flagEvents: number | null = null;
    try {
      report = await importSanctionsList(
        store,
        eventIntakeOf(store, new AidwatchMetrics({ defaultMetrics: false }), config),
        content,
        { format: options.format, ofacAliases, dryRun: options.dryRun, allowEmpty: options.allowEmpty },
      );
      if (options.detect && report.appended > 0) {
        flagEvents = 0;
        const projection = new DetectionProjection(
          store,
          detectionConfigFrom(config.detection),
          defaultPorts(),
          { onFlagEvents: (events) => (flagEvents = (flagEvents ?? 0) + events.length) },
        );
        await rebuildFromZero(store, projection, { to: await store.headPosition() });
      }
    } catch (error) {
      if (error instanceof SanctionsImportError && error.kind !== 'conflict')
        throw new UsageError(error.message);
      throw error;
    } finally {
      await store.close();
    }
    const detection = flagEvents === null ? '' : `; detection wrote ${flagEvents} flag events`;
    print(options, describeSanctionsImport(report) + detection, { ...report, flagEvents });
    process.exitCode = ExitCode.ok;
  });
}
