import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  isCsvExportFile,
  verifyExportFile,
  verifyStore,
  type StoreVerificationReport,
  type VerificationReport,
} from '@aidwatch/audit';
import { ExitCode } from '../cli-program';
import { openStore, print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface VerifyOptions extends StoreOptions {
  file?: string;
  archives?: string;
}

function describe(report: VerificationReport | StoreVerificationReport, what: string): string {
  const fromArchives =
    'fromArchives' in report && report.fromArchives > 0 ? ` (${report.fromArchives} read from archives)` : '';
  const archived = report.archived > 0 ? `, ${report.archived} archived (recorded, not read back)` : '';
  const missing =
    'archiveFiles' in report && report.archiveFiles && report.archiveFiles.missing.length > 0
      ? `; archive files not found: ${report.archiveFiles.missing.join(', ')}`
      : '';
  const counts = `${report.events} events${fromArchives} in ${report.streams} streams${archived}, ${report.checkpoints} checkpoint(s)${missing}`;
  if (report.ok) return `${what}: intact — ${counts}; checkpoint root ${report.latestRoot ?? '(none)'}`;
  const b = report.firstBroken;
  const where = `${b?.file ? `archive ${b.file}, ` : ''}${b?.line !== undefined ? `line ${b.line}: ` : ''}`;
  const event = b?.eventId
    ? `${b.streamId}@${b.revision} (event ${b.eventId}${b.position ? `, position ${b.position}` : ''})`
    : b?.streamId;
  return `${what}: BROKEN — first broken link: ${where}${event ?? ''}: ${b?.reason}\n${report.broken} broken link(s); ${counts}`;
}

/**
 * `aidwatch verify [--file export.ndjson[.gz]] [--archives dir]`: recomputes the hash chains; exit 1 names the
 * first broken link.
 */
export function registerVerifyCommand(program: Command): void {
  withStoreOptions(
    program
      .command('verify')
      .description(
        "recompute every stream's hash chain and the checkpoints' Merkle roots (the store, or an export file offline); exit 1 on the first broken link",
      )
      .option(
        '--file <export.ndjson>',
        'verify an NDJSON export or retention archive offline instead of the store (gzip or not)',
      )
      .option(
        '--archives <dir>',
        'read retention archives back from this directory and check their events link by link (default AIS_ARCHIVE_DIR when it exists)',
      ),
  ).action(async (options: VerifyOptions) => {
    let report: VerificationReport;
    let what: string;
    if (options.file) {
      if (!existsSync(options.file)) throw new UsageError(`--file: ${options.file} does not exist`);
      if (await isCsvExportFile(options.file))
        throw new UsageError(
          `--file: ${options.file} is a CSV export, which carries no start and completion lines and cannot be verified; export with --format ndjson (the default) to verify offline`,
        );
      report = await verifyExportFile(options.file);
      what = options.file;
    } else {
      const { store, config } = openStore(options);
      const archiveDir =
        options.archives ??
        (existsSync(config.retention.archiveDir) ? config.retention.archiveDir : undefined);
      if (options.archives !== undefined && !existsSync(options.archives))
        throw new UsageError(`--archives: ${options.archives} does not exist`);
      try {
        report = await verifyStore(store, { archiveDir });
      } finally {
        await store.close();
      }
      what = `event store (${store.name})${archiveDir ? ` with the archives in ${archiveDir}` : ''}`;
    }
    print(options, describe(report, what), report);
    // An archive a record names but the directory lacks leaves its events unchecked: a finding, not "intact".
    const unchecked =
      'archiveFiles' in report && (report as StoreVerificationReport).archiveFiles?.missing.length;
    process.exitCode = report.ok && !unchecked ? ExitCode.ok : ExitCode.finding;
  });
}
