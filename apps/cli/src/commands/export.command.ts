import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import { exportLines, latestCheckpoint, writeCheckpoint, type ExportScope } from '@aidwatch/audit';
import { isEventTime, StreamNames } from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';
import { openStore, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface ExportOptions extends StoreOptions {
  stream?: string;
  consignment?: string;
  from?: string;
  to?: string;
  format: 'ndjson' | 'csv';
  out?: string;
}

function scopeOf(options: ExportOptions): ExportScope {
  const chosen = [options.stream, options.consignment, options.from ?? options.to].filter(
    (s) => s !== undefined,
  );
  if (chosen.length !== 1) throw new UsageError('choose one of --stream, --consignment or --from/--to');
  if (options.stream) return { kind: 'stream', streamId: options.stream };
  if (options.consignment) return { kind: 'consignment', consignmentId: options.consignment };
  for (const time of [options.from, options.to])
    if (time !== undefined && !isEventTime(time))
      throw new UsageError(
        `"${time}" is not an RFC 3339 time with a zone on a real calendar day, e.g. 2026-11-30T00:00:00Z`,
      );
  if (
    options.from !== undefined &&
    options.to !== undefined &&
    Date.parse(options.from) >= Date.parse(options.to)
  )
    throw new UsageError(`--from ${options.from} is not before --to ${options.to}`);
  return { kind: 'range', from: options.from, to: options.to };
}

/**
 * Refuses a stream or consignment the store does not hold (exit 2, before any checkpoint is written): an
 * empty trail of a mistyped id would look like a consignment with no history.
 */
async function mustHold(store: EventStore, scope: ExportScope): Promise<void> {
  if (scope.kind === 'range') return;
  const streamId = scope.kind === 'stream' ? scope.streamId : StreamNames.consignment(scope.consignmentId);
  const [first] = await store.readStream(streamId, { maxCount: 1 });
  if (first) return;
  throw new UsageError(
    scope.kind === 'stream'
      ? `no stream ${scope.streamId} in the store (stream ids look like consignment-CSG-2026-0109, vessel-<mmsi>)`
      : `no consignment ${scope.consignmentId} in the store (nothing was ever recorded for it)`,
  );
}

/** Writes lines in chunks, waiting whenever the destination asks to (constant memory). */
async function writeAll(lines: AsyncIterable<string>, out: Writable): Promise<number> {
  let chunk = '';
  let count = 0;
  for await (const line of lines) {
    chunk += line;
    count++;
    if (chunk.length >= 64 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (chunk && !out.write(chunk)) await once(out, 'drain');
  return count;
}

/** `aidwatch export`: a stream, a consignment's whole trail or a time range, with chain hashes and a checkpoint. */
export function registerExportCommand(program: Command): void {
  withStoreOptions(
    program
      .command('export')
      .description(
        'export an audit trail as NDJSON CloudEvents or CSV, with chain hashes and a checkpoint, for offline verification (docs/audit.md)',
      )
      .option('--stream <streamId>', 'one stream, e.g. consignment-C-1002')
      .option('--consignment <id>', 'a consignment with everything that touched it')
      .option(
        '--from <time>',
        "events the store recorded at or after this RFC 3339 time (recorded time, not the event's own time)",
      )
      .option(
        '--to <time>',
        "events the store recorded before this RFC 3339 time (recorded time, not the event's own time)",
      )
      .addOption(
        new Option(
          '--format <format>',
          'output format; only NDJSON can be verified offline (CSV is for reading)',
        )
          .choices(['ndjson', 'csv'])
          .default('ndjson'),
      )
      .option('--out <file>', 'write to a file instead of stdout'),
  ).action(async (options: ExportOptions) => {
    const scope = scopeOf(options);
    const { store } = openStore(options);
    try {
      await mustHold(store, scope);
      // The export is anchored to a checkpoint over the whole store: reuse the newest if nothing came since.
      const latest = await latestCheckpoint(store);
      const checkpoint =
        latest && latest.position === (await store.headPosition())
          ? latest
          : await writeCheckpoint(store, randomUUID, () => new Date());
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const started = process.hrtime.bigint();
      const lines = await writeAll(
        exportLines(store, scope, {
          format: options.format,
          checkpoint,
          now: () => new Date(),
          newId: randomUUID,
        }),
        out,
      );
      if (out !== process.stdout) await new Promise<void>((resolve) => out.end(() => resolve()));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stderr.write(
        `exported ${lines} lines in ${seconds.toFixed(2)} s (${Math.round(lines / seconds)} lines/s)` +
          `${checkpoint ? `, anchored to checkpoint ${checkpoint.id}` : ''}\n`,
      );
      if (options.format === 'csv')
        process.stderr.write(
          'CSV is for reading (spreadsheets); it has no start and completion lines, so `aidwatch verify` refuses it: export --format ndjson to verify offline\n',
        );
    } finally {
      await store.close();
    }
  });
}
