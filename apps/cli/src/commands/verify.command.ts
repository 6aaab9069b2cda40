import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { verifyExport, verifyStore, type VerificationReport } from '@aidwatch/audit';
import { ExitCode } from '../cli-program';
import { openStore, print, withStoreOptions, type StoreOptions } from '../store-access';

interface VerifyOptions extends StoreOptions {
  file?: string;
}

function describe(report: VerificationReport, what: string): string {
  const counts = `${report.events} events in ${report.streams} streams, ${report.checkpoints} checkpoint(s)`;
  if (report.ok) return `${what}: intact — ${counts}; checkpoint root ${report.latestRoot ?? '(none)'}`;
  const b = report.firstBroken;
  const where = b?.line !== undefined ? `line ${b.line}: ` : '';
  const event = b?.eventId
    ? `${b.streamId}@${b.revision} (event ${b.eventId}${b.position ? `, position ${b.position}` : ''})`
    : b?.streamId;
  return `${what}: BROKEN — first broken link: ${where}${event ?? ''}: ${b?.reason}\n${report.broken} broken link(s); ${counts}`;
}

/** `aidwatch verify [--file export.ndjson]`: recomputes the hash chains; exit 1 names the first broken link. */
export function registerVerifyCommand(program: Command): void {
  withStoreOptions(
    program
      .command('verify')
      .description(
        "recompute every stream's hash chain and the checkpoints' Merkle roots (the store, or an export file offline); exit 1 on the first broken link",
      )
      .option('--file <export.ndjson>', 'verify an NDJSON export offline instead of the store'),
  ).action(async (options: VerifyOptions) => {
    let report: VerificationReport;
    let what: string;
    if (options.file) {
      const lines = createInterface({ input: createReadStream(options.file), crlfDelay: Infinity });
      report = await verifyExport(lines);
      what = options.file;
    } else {
      const { store } = openStore(options);
      try {
        report = await verifyStore(store);
      } finally {
        await store.close();
      }
      what = `event store (${store.name})`;
    }
    print(options, describe(report, what), report);
    process.exitCode = report.ok ? ExitCode.ok : ExitCode.finding;
  });
}
