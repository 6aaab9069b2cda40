export * from './event-store.port';
export { EventContentConflictError, EventIdConflictError } from './append-policy';
export { EmbeddedEventStore, type EmbeddedEventStoreOptions } from './embedded-event-store';
export { PRUNE_BATCH_ROWS, PruneHeadError, isPrunable, type PrunableEventStore } from './prunable';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store';
export { KurrentDbEventStore, type KurrentDbEventStoreOptions } from './kurrentdb-event-store';
export {
  PostgresEventStore,
  POSTGRES_GROUP_COMMIT_MAX_EVENTS,
  TransactionIdsBehindError,
  formatTransactionPosition,
  parseTransactionPosition,
  type PostgresEventStoreOptions,
  type TransactionPosition,
} from './postgres-event-store';
export {
  createPool,
  isConnectionError,
  isTransactionRetry,
  withReconnect,
  type PostgresConnectionOptions,
} from './postgres/connection';
export { FencedError, LEASE_MIGRATIONS, PostgresLease, type Fence, type LeaseState } from './postgres/lease';
export { MIGRATION_LOCK, SchemaTooNewError, migrate, type Migration } from './postgres/migrations';
export { createEventStore, type EventStoreConfig } from './event-store.factory';
export * from './chain';
export * from './upcasting-event-store';
export { databaseFilePath, restrictToOwner } from './owner-only-file';
export { startModuleWorker } from './module-worker';
