import { createEventStore } from './event-store.factory';
import { InMemoryEventStore } from './in-memory-event-store';
import { KurrentDbEventStore } from './kurrentdb-event-store';

describe('createEventStore', () => {
  it('gives the in-memory store for kind memory', async () => {
    const store = createEventStore({ kind: 'memory' });

    expect(store).toBeInstanceOf(InMemoryEventStore);
    await store.close();
  });

  it('gives the KurrentDB adapter for kind kurrentdb, connecting only when first used', async () => {
    const store = createEventStore({
      kind: 'kurrentdb',
      connectionString: 'kurrentdb://localhost:2113?tls=false',
    });

    expect(store).toBeInstanceOf(KurrentDbEventStore);
    expect(store.name).toBe('kurrentdb');
    await store.close();
  });
});
