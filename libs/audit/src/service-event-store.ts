import { EventUpcasters } from '@aidwatch/domain';
import {
  createEventStore,
  UpcastingEventStore,
  type EventStore,
  type EventStoreConfig,
} from '@aidwatch/event-store';
import { CheckpointStore, PostgresCheckpointStore, SqliteCheckpointStore } from '@aidwatch/projections';
import { PersonalDataCipher } from './personal-data/personal-data-cipher';
import { ProtectedEventStore } from './personal-data/protected-event-store';
import { PostgresSubjectKeyStore } from './personal-data/postgres-subject-key-store';
import { SqliteSubjectKeyStore, type SubjectKeyStore } from './personal-data/subject-key-store';

/** The store with every read in the current version of its event type (EventUpcasters); writes unchanged. */
export const upcastingStore = (store: EventStore): UpcastingEventStore =>
  new UpcastingEventStore(store, EventUpcasters);

/**
 * The deployment's event store as the services (and the CLI's rebuild, replay and demo) use it, whatever
 * the adapter: reads upcast to current event versions, personal data sealed on append and opened on read.
 * Layers, outermost first: ProtectedEventStore → UpcastingEventStore → adapter; `storedFormOf` gives the
 * adapter, which verification, checkpoints and export read.
 */
export function serviceEventStore(config: {
  eventStore: EventStoreConfig;
  subjectKeysPath: string;
}): ProtectedEventStore {
  return new ProtectedEventStore(
    upcastingStore(createEventStore(config.eventStore)),
    new PersonalDataCipher(serviceSubjectKeyStore(config)),
  );
}

/**
 * The deployment's checkpoint store: in PostgreSQL beside the events when EVENT_STORE=postgres (no shared
 * filesystem between services), else the SQLite file at `checkpointPath`.
 */
export function serviceCheckpointStore(config: {
  eventStore: EventStoreConfig;
  checkpointPath: string;
}): CheckpointStore {
  return config.eventStore.kind === 'postgres'
    ? new PostgresCheckpointStore({ connectionString: config.eventStore.connectionString })
    : new SqliteCheckpointStore(config.checkpointPath);
}

/**
 * The deployment's subject keys: in PostgreSQL when EVENT_STORE=postgres (one key per person for every
 * service and the CLI), else the SQLite file at `subjectKeysPath`.
 */
export function serviceSubjectKeyStore(config: {
  eventStore: EventStoreConfig;
  subjectKeysPath: string;
}): SubjectKeyStore {
  return config.eventStore.kind === 'postgres'
    ? new PostgresSubjectKeyStore({ connectionString: config.eventStore.connectionString })
    : new SqliteSubjectKeyStore(config.subjectKeysPath);
}
