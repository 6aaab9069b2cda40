import { randomUUID } from 'node:crypto';
import { EventIdConflictError } from './append-policy';
import { InMemoryEventStore } from './in-memory-event-store';
import { describeEventStoreContract } from './testing';

describeEventStoreContract('InMemoryEventStore', async () => ({ store: new InMemoryEventStore() }), {
  durable: false,
  startsEmpty: true,
});

describe('InMemoryEventStore', () => {
  it('refuses an event id that another stream already holds', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    await store.append('consignment-1', [{ id, type: 'loaded', data: {} }]);

    await expect(store.append('consignment-2', [{ id, type: 'loaded', data: {} }])).rejects.toBeInstanceOf(
      EventIdConflictError,
    );
    expect(await store.readStream('consignment-2')).toEqual([]);
  });

  it('stamps recordedAt from the clock it is given', async () => {
    const store = new InMemoryEventStore({ clock: () => new Date('2025-03-01T08:00:00Z') });
    await store.append('consignment-1', [{ id: randomUUID(), type: 'loaded', data: {} }]);

    const [event] = await store.readStream('consignment-1');

    expect(event.recordedAt).toBe('2025-03-01T08:00:00.000Z');
  });
});
