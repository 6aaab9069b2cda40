import { EmbeddedEventStore } from './embedded-event-store';
import type { EventStore } from './event-store.port';
import { InMemoryEventStore } from './in-memory-event-store';
import { KurrentDbEventStore } from './kurrentdb-event-store';
import { PostgresEventStore } from './postgres-event-store';

export type EventStoreConfig =
  | { kind: 'embedded'; path: string; pollIntervalMs?: number; writer?: 'worker' | 'inline' }
  | { kind: 'memory' }
  | { kind: 'kurrentdb'; connectionString: string }
  | { kind: 'postgres'; connectionString: string };

export function createEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'embedded':
      return new EmbeddedEventStore({
        path: config.path,
        pollIntervalMs: config.pollIntervalMs,
        writer: config.writer,
      });
    case 'memory':
      return new InMemoryEventStore();
    case 'kurrentdb':
      return new KurrentDbEventStore({ connectionString: config.connectionString });
    case 'postgres':
      return new PostgresEventStore({ connectionString: config.connectionString });
  }
}
