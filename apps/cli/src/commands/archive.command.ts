import { Option, type Command } from 'commander';
import {
  archiveRawPositions,
  prunableStoreOf,
  serviceCheckpointStore,
  type RetentionReport,
} from '@aidwatch/audit';
import { DETECTION_PROJECTION } from '@aidwatch/projections';
import { ExitCode } from '../cli-program';
import { openStore, print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface ArchiveOptions extends StoreOptions {
  olderThan?: string;
  dryRun?: boolean;
  archiveDir?: string;
}

function describe(report: RetentionReport, dir: string): string {
  const kept = `kept ${report.kept.cited} cited by flags, ${report.kept.newest} newest of their stream`;
  const scope = `recorded before ${report.before}, judged by detection up to position ${report.upToPosition}`;
  const lines: string[] = [];
  for (const c of report.completed)
    lines.push(`completed an interrupted run: deleted the ${c.deleted} events archived in ${c.file}`);
  if (report.pending) lines.push(`an interrupted run's ${report.pending} still has its events in the store`);
  if (report.upToPosition === null)
    lines.push('detection has no checkpoint yet: nothing is judged, nothing archived');
  else if (report.dryRun) lines.push(`would archive ${report.archived} raw positions (${scope}); ${kept}`);
  else {
    lines.push(
      `archived ${report.archived} raw positions into ${report.files.length} file(s) in ${dir} (${scope}); ${kept}`,
    );
    for (const f of report.files)
      lines.push(
        `  ${f.file}: ${f.events} events, ${f.bytes} bytes (${f.rawBytes} uncompressed), sha256 ${f.sha256}`,
      );
  }
  return lines.join('\n');
}

/** `aidwatch archive`: storage retention of raw AIS positions, once, from the command line. */
export function registerArchiveCommand(program: Command): void {
  withStoreOptions(
    program
      .command('archive')
      .description(
        "move raw AIS positions older than the retention period into verifiable archive files under AIS_ARCHIVE_DIR (embedded or PostgreSQL store; the same directory the detector archives into): only what detection has judged, never a position a flag cites, never a stream's newest event (docs/audit.md)",
      )
      .option(
        '--older-than <days>',
        'recorded more than this many whole days ago (default AIS_RETENTION_DAYS); 0 keeps everything, as the setting does',
      )
      .option('--dry-run', 'count what would be archived; write and delete nothing')
      .addOption(new Option('--archive-dir <dir>', 'where archive files go').env('AIS_ARCHIVE_DIR')),
  ).action(async (options: ArchiveOptions) => {
    const { store, config } = openStore(options);
    const checkpoints = serviceCheckpointStore(config);
    try {
      if (!prunableStoreOf(store))
        throw new UsageError(
          `archive needs the embedded or the PostgreSQL store: the ${store.name} store cannot delete archived events`,
        );
      const days = options.olderThan !== undefined ? Number(options.olderThan) : config.retention.aisDays;
      if (
        options.olderThan !== undefined &&
        !(options.olderThan.trim() !== '' && Number.isInteger(days) && days >= 0 && days <= 36_500)
      )
        throw new UsageError(
          `--older-than: "${options.olderThan}" is not a whole number of days from 0 to 36,500`,
        );
      // 0 means keep everything, given as --older-than 0 or by AIS_RETENTION_DAYS=0 (the default): nothing
      // to do, which is no error (exit 0). Nothing is read, written or deleted.
      if (days === 0) {
        const why =
          options.olderThan !== undefined
            ? '--older-than 0 keeps everything (as AIS_RETENTION_DAYS=0 does)'
            : 'AIS_RETENTION_DAYS is 0 (keep everything; give --older-than <days> to archive)';
        print(options, `${why}: nothing archived`, {
          olderThanDays: 0,
          keepEverything: true,
          dryRun: options.dryRun === true,
          archived: 0,
          files: [],
        });
        process.exitCode = ExitCode.ok;
        return;
      }
      const dir = options.archiveDir ?? config.retention.archiveDir;
      const report = await archiveRawPositions(store, {
        archiveDir: dir,
        olderThanDays: days,
        judgedUpTo: await checkpoints.positionOf(DETECTION_PROJECTION),
        dryRun: options.dryRun === true,
      });
      print(options, describe(report, dir), { ...report, archiveDir: dir });
      process.exitCode = ExitCode.ok;
    } finally {
      await checkpoints.close();
      await store.close();
    }
  });
}
