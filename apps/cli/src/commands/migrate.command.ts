import * as fs from 'node:fs';
import { Presets, SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { PostgresApiKeyStore, SqliteApiKeyStore } from '@aidwatch/access';
import { PostgresSubjectKeyStore, SqliteSubjectKeyStore, verifyStore } from '@aidwatch/audit';
import { loadConfig } from '@aidwatch/config';
import {
  EmbeddedEventStore,
  PostgresEventStore,
  WrongExpectedRevisionError,
  type StoredEvent,
  type StreamWrite,
} from '@aidwatch/event-store';
import { ExitCode } from '../cli-program';
import { print, UsageError, type StoreOptions } from '../store-access';

interface MigrateOptions extends StoreOptions {
  to: string;
  databaseUrl?: string;
  progress: boolean;
}

/** Events copied per transaction. */
const PAGE = 1000;

/**
 * `aidwatch migrate --to postgres`: copies the embedded store of DATA_DIR (events, and the personal-data
 * subject keys) into the PostgreSQL database of DATABASE_URL, in the store's order, each event at its own
 * stream revision, so every hash chain comes out as it was; then verifies the chains there. Resumable: a
 * copy killed half-way is run again and skips what is there (appends are idempotent by event id). Refuses
 * a store whose streams have gaps (positions archived by retention cannot be copied). API keys are copied
 * from their file (ACCESS_KEYS_FILE, default DATA_DIR/access.sqlite) with their salted hashes, so every key
 * keeps working; a revocation is carried over.
 */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'copy the embedded store (events, subject keys, API keys) into PostgreSQL, verifying every chain; resumable after a kill',
    )
    .addOption(
      new Option('--to <store>', 'the store to copy into').choices(['postgres']).makeOptionMandatory(),
    )
    .addOption(new Option('--data-dir <dir>', 'the DATA_DIR of the embedded store').env('DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'the PostgreSQL database').env('DATABASE_URL'))
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print one JSON document instead of text')
    .action(async (options: MigrateOptions) => {
      const config = loadConfig({
        ...process.env,
        EVENT_STORE: 'embedded',
        ...(options.dataDir && { DATA_DIR: options.dataDir }),
      });
      if (config.eventStore.kind !== 'embedded')
        throw new UsageError('the source must be the embedded store');
      const file = config.eventStore.path;
      if (!fs.existsSync(file))
        throw new UsageError(`no event store at ${file}: give its DATA_DIR (--data-dir)`);
      if (!options.databaseUrl || !/^postgres(ql)?:\/\//.test(options.databaseUrl))
        throw new UsageError('--database-url (or DATABASE_URL): a postgres:// connection URI');

      const source = new EmbeddedEventStore({ path: file });
      const target = new PostgresEventStore({ connectionString: options.databaseUrl });
      const bar = new SingleBar(
        {
          format: ' {bar} {percentage}% | {value}/{total} events | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      try {
        const total = (await source.headPosition()) === null ? 0 : await countEvents(source);
        if (options.progress && !options.json) bar.start(total, 0);
        let copied = 0;
        let appended = 0;
        let after: string | undefined;
        for (;;) {
          const page = await source.readAll({ after, maxCount: PAGE });
          if (page.length === 0) break;
          const results = await target.appendMany(writesOf(page)).catch((error: unknown) => {
            if (error instanceof WrongExpectedRevisionError)
              throw new UsageError(
                `stream ${error.streamId} has a gap before revision ${Number(error.expected) + 1} ` +
                  '(positions archived by retention?), or the database holds other events of it: not copied',
              );
            throw error;
          });
          appended += results.reduce((n, r) => n + r.appended, 0);
          copied += page.length;
          bar.update(copied);
          after = page[page.length - 1].position;
        }
        bar.stop();

        const keys = new SqliteSubjectKeyStore(config.subjectKeysPath);
        const rows = fs.existsSync(config.subjectKeysPath) ? await keys.exportKeys() : [];
        await keys.close();
        const targetKeys = new PostgresSubjectKeyStore({ connectionString: options.databaseUrl });
        const keysWritten = await targetKeys.importKeys(rows);
        await targetKeys.close();

        const apiKeys = fs.existsSync(config.access.keyStorePath)
          ? await (async () => {
              const file = new SqliteApiKeyStore(config.access.keyStorePath);
              try {
                return await file.exportKeys();
              } finally {
                file.close();
              }
            })()
          : [];
        const targetApiKeys = new PostgresApiKeyStore({ connectionString: options.databaseUrl });
        const apiKeysWritten = await targetApiKeys.importKeys(apiKeys);
        await targetApiKeys.close();

        const report = await verifyStore(target);
        const ok = report.ok && report.events >= copied;
        print(
          options,
          `copied ${copied} events (${appended} new, ${copied - appended} already there) and ${rows.length} subject keys ` +
            `(${keysWritten} written) and ${apiKeys.length} API keys (${apiKeysWritten} written) into PostgreSQL; ${ok ? 'verified: every chain intact' : 'VERIFICATION FAILED'} ` +
            `(${report.events} events in ${report.streams} streams)`,
          {
            copied,
            appended,
            subjectKeys: rows.length,
            subjectKeysWritten: keysWritten,
            apiKeys: apiKeys.length,
            apiKeysWritten,
            verification: report,
          },
        );
        process.exitCode = ok ? ExitCode.ok : ExitCode.finding;
      } finally {
        bar.stop();
        await source.close();
        await target.close();
      }
    });
}

async function countEvents(store: EmbeddedEventStore): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 10_000 });
    count += page.length;
    if (page.length < 10_000) return count;
    after = page[page.length - 1].position;
  }
}

/**
 * One write per run of consecutive events of a stream, expecting the revision before its first: the events
 * land at their own revisions (a gap — archived positions — fails with WrongExpectedRevisionError), and a
 * run already copied is an exact retry that writes nothing.
 */
function writesOf(page: StoredEvent[]): StreamWrite[] {
  const writes: StreamWrite[] = [];
  for (const event of page) {
    const last = writes[writes.length - 1];
    const copy = { id: event.id, type: event.type, data: event.data, metadata: event.metadata };
    if (last && last.streamId === event.streamId) last.events.push(copy);
    else
      writes.push({
        streamId: event.streamId,
        events: [copy],
        expected: event.revision === 0 ? 'no_stream' : event.revision - 1,
      });
  }
  return writes;
}
