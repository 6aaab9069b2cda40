// The latency phase's producer (bench/pipeline.bench.ts), on a thread of its own: a live feed's producers are
// not on the thread of the service they feed, so the service's work never delays the sends it is timed by.
// Messages: in { kind: 'warm' } then { kind: 'go' }; out { kind: 'ready' }, { kind: 'sent', ids, at } for
// each send (at: wall-clock ms, performance.timeOrigin + performance.now()), { kind: 'done', sent, rate }.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Topics } from '@aidwatch/domain';
import { createKafkaClient, KafkaPublisher } from '@aidwatch/messaging';
import { fleetEvents } from './fleet-events';

interface Setup {
  brokers: string[];
  clientId: string;
  vessels: number;
  total: number;
  start: string;
  rate: number;
  warm: number;
}

const setup = workerData as Setup;
const port = parentPort!;
const wallClock = () => performance.timeOrigin + performance.now();
const events = fleetEvents(setup.vessels, setup.total, 11, setup.start, 1);
const client = createKafkaClient(
  { brokers: setup.brokers, clientId: setup.clientId },
  { logLevel: 'nothing' },
);
const positions = new KafkaPublisher(client, { topic: Topics.positions });

async function send(slice: typeof events): Promise<void> {
  const at = wallClock();
  port.postMessage({ kind: 'sent', ids: slice.map((e) => e.id), at });
  await positions.publish(slice);
}

async function paced(): Promise<void> {
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((setup.rate * tickMs) / 1000));
  const started = performance.now();
  let sent = 0;
  // Sends are not awaited one by one (a send's round trip would set the pace); at most 16 are in flight.
  const inFlight = new Set<Promise<unknown>>();
  for (let i = setup.warm; i < events.length; i += perTick) {
    const slice = events.slice(i, i + perTick);
    const sending: Promise<unknown> = send(slice).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    if (inFlight.size >= 16) await Promise.race(inFlight);
    sent += slice.length;
    const next = started + ((i - setup.warm + perTick) / perTick) * tickMs;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  await Promise.all(inFlight);
  const rate = sent / ((performance.now() - started) / 1000);
  await positions.stop();
  port.postMessage({ kind: 'done', sent, rate });
}

port.on('message', (message: { kind: 'warm' | 'go' }) => {
  if (message.kind === 'warm') void send(events.slice(0, setup.warm));
  else void paced();
});
void positions.connect().then(() => port.postMessage({ kind: 'ready', events: events.length }));
