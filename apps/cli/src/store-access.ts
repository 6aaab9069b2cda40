import * as fs from 'node:fs';
import { Option, type Command } from 'commander';
import { loadConfig, type AppConfig } from '@aidwatch/config';
import { serviceEventStore } from '@aidwatch/audit';
import { createEventStore, type EventStore } from '@aidwatch/event-store';

export interface StoreOptions {
  dataDir?: string;
  json?: boolean;
}

/** Options every store command shares: where the store is, and machine-readable output. */
export function withStoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--data-dir <dir>',
        "the deployment's DATA_DIR (embedded store); EVENT_STORE, DATABASE_URL and KURRENTDB_CONNECTION_STRING are read as the services read them",
      ).env('DATA_DIR'),
    )
    .option('--json', 'print one JSON document instead of text');
}

/**
 * The deployment's event store, opened as the services open it (same settings, same variables). The
 * embedded store's SQLite file may be open in a running deployment at the same time (WAL mode).
 */
export function openStore(options: StoreOptions): { store: EventStore; config: AppConfig } {
  const config = configOf(options);
  mustExist(config);
  return { store: createEventStore(config.eventStore), config };
}

/**
 * Commands that read a deployment's store refuse an embedded store that is not there (a mistyped
 * `--data-dir`) instead of creating an empty one and reporting on nothing.
 */
function mustExist(config: AppConfig): void {
  const { eventStore } = config;
  if (eventStore.kind !== 'embedded') return;
  let file: fs.Stats | undefined;
  try {
    file = fs.statSync(eventStore.path);
  } catch {
    file = undefined;
  }
  if (!file?.isFile())
    throw new UsageError(
      `no event store at ${eventStore.path}: give the deployment's DATA_DIR (--data-dir), or load one with \`aidwatch demo\``,
    );
}

/** The deployment's configuration, as the services load it; a memory store is bad usage (nothing to open). */
function configOf(options: StoreOptions): AppConfig {
  const env = { ...process.env, ...(options.dataDir && { DATA_DIR: options.dataDir }) };
  const config = loadConfig(env);
  if (config.eventStore.kind === 'memory')
    throw new UsageError('EVENT_STORE=memory has nothing to read from another process');
  return config;
}

/**
 * The store as the services read it: events in their current versions, personal data opened with the
 * subjects' keys (rebuild, replay and demo need what the services see; verify and export read the log as
 * it is stored).
 */
export function openReadableStore(
  options: StoreOptions,
  { create = false }: { create?: boolean } = {},
): { store: EventStore; config: AppConfig } {
  const config = configOf(options);
  if (!create) mustExist(config);
  return { store: serviceEventStore(config), config };
}

/** Bad usage or configuration: exit code 2. */
export class UsageError extends Error {}

/** Writes text, or JSON when asked, to stdout. */
export function print(options: StoreOptions, text: string, json: unknown): void {
  process.stdout.write(options.json ? JSON.stringify(json, null, 2) + '\n' : text + '\n');
}
