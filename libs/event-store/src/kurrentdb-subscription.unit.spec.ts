import type { AllStreamResolvedEvent, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { Readable } from 'node:stream';
import { formatLogPosition, type LogPosition } from './kurrentdb-mapping';
import { KurrentDbSubscription } from './kurrentdb-subscription';
import type { StoredEvent } from './event-store.port';

/** What the server sends for an event at commit position `commit` (one event per commit here). */
function recorded(commit: number, streamId = 'consignment-1', type = 'aidwatch.consignment.loaded.v1') {
  const position = { commit: BigInt(commit), prepare: BigInt(commit) };
  return {
    event: {
      streamId,
      id: `00000000-0000-4000-8000-${String(commit).padStart(12, '0')}`,
      isJson: true,
      revision: BigInt(commit),
      type,
      created: new Date('2025-01-01T00:00:00Z'),
      data: { commit },
      metadata: undefined,
      position,
    },
    commitPosition: position.commit,
  } as unknown as AllStreamResolvedEvent;
}

/**
 * A stand-in for the client's subscription stream: sends `events` as they are read, then fails with
 * `failure` if given (a dropped subscription) or stays open waiting for more (a live one).
 */
function serverStream(events: AllStreamResolvedEvent[], failure?: Error) {
  const queue = [...events];
  const stream = new Readable({
    objectMode: true,
    read() {
      const next = queue.shift();
      if (next) this.push(next);
      else if (failure) this.destroy(failure);
    },
  });
  const unsubscribe = jest.fn(async () => undefined);
  Object.assign(stream, { unsubscribe });
  return { stream: stream as unknown as AllStreamSubscription, unsubscribe };
}

async function take(subscription: KurrentDbSubscription, count: number): Promise<StoredEvent[]> {
  const taken: StoredEvent[] = [];
  for await (const event of subscription) {
    taken.push(event);
    if (taken.length === count) break;
  }
  return taken;
}

const options = { delayMs: 1, maxAttempts: 3, onClose: () => undefined };
const acceptAll = () => true;

describe('KurrentDbSubscription', () => {
  it('resubscribes after the server drops it, from the last event it delivered, without repeats', async () => {
    const opened: Array<LogPosition | undefined> = [];
    const streams = [
      serverStream([recorded(10), recorded(20)], new Error('14 UNAVAILABLE: connection dropped')),
      // A server that replays the position it was given must not cause a repeat.
      serverStream([recorded(20), recorded(30)]),
    ];
    const subscription = new KurrentDbSubscription(
      async (from) => {
        opened.push(from);
        return streams[opened.length - 1].stream;
      },
      undefined,
      acceptAll,
      options,
    );

    const received = await take(subscription, 3);

    expect(received.map((event) => event.position)).toEqual(['10/10', '20/20', '30/30']);
    expect(opened.map((from) => from && formatLogPosition(from))).toEqual([undefined, '20/20']);
    expect(streams[0].unsubscribe).toHaveBeenCalled();
  });

  it('starts strictly after the position it is given', async () => {
    const { stream } = serverStream([recorded(5), recorded(6)]);
    const subscription = new KurrentDbSubscription(
      async () => stream,
      { commit: 5n, prepare: 5n },
      acceptAll,
      options,
    );

    expect((await take(subscription, 1)).map((event) => event.position)).toEqual(['6/6']);
  });

  it('leaves out events it does not accept but resumes after them', async () => {
    const opened: Array<LogPosition | undefined> = [];
    const streams = [
      serverStream([recorded(1), recorded(2, '$stats-node', '$statsCollected')], new Error('dropped')),
      serverStream([recorded(3)]),
    ];
    const subscription = new KurrentDbSubscription(
      async (from) => {
        opened.push(from);
        return streams[opened.length - 1].stream;
      },
      undefined,
      (event) => !event.streamId.startsWith('$'),
      options,
    );

    const received = await take(subscription, 2);

    expect(received.map((event) => event.position)).toEqual(['1/1', '3/3']);
    expect(opened[1] && formatLogPosition(opened[1])).toBe('2/2');
  });

  it('fails with the last error after the given number of consecutive failed attempts', async () => {
    let attempts = 0;
    const subscription = new KurrentDbSubscription(
      async () => {
        attempts += 1;
        throw new Error(`unavailable #${attempts}`);
      },
      undefined,
      acceptAll,
      options,
    );

    await expect(take(subscription, 1)).rejects.toThrow('unavailable #3');
    expect(attempts).toBe(3);
  });

  it('close() ends a waiting iteration and unsubscribes from the server', async () => {
    const { stream, unsubscribe } = serverStream([]);
    const onClose = jest.fn();
    const subscription = new KurrentDbSubscription(async () => stream, undefined, acceptAll, {
      ...options,
      onClose,
    });
    const next = subscription[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 20));

    await subscription.close();

    expect(await next).toEqual({ done: true, value: undefined });
    expect(unsubscribe).toHaveBeenCalled();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
