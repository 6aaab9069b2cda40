import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseReplayBound, replayable, type ReplayBound, type ReplayedEvent } from '@aidwatch/audit';
import type { CloudEvent } from '@aidwatch/domain';
import { KafkaPublisher } from '@aidwatch/messaging';
import { openReadableStore, print, UsageError, withStoreOptions, type StoreOptions } from '../store-access';

interface ReplayOptions extends StoreOptions {
  from: string;
  to?: string;
  topic: string;
  type?: string[];
  brokers?: string;
  batch: string;
}

function bound(text: string, name: string): ReplayBound {
  const parsed = parseReplayBound(text);
  if (!parsed) throw new UsageError(`--${name} "${text}" is neither a store position nor an ISO 8601 time`);
  return parsed;
}

/** `aidwatch replay --from … [--to …] --topic <t>`: re-publishes stored events to Kafka, marked as replays. */
export function registerReplayCommand(program: Command): void {
  withStoreOptions(
    program
      .command('replay')
      .description(
        're-publish stored events (CloudEvents, structured mode) to a Kafka topic for downstream systems that lost data; records carry x-replay, x-replay-id, x-replay-position, x-replay-stream, x-replay-recorded-at',
      )
      .requiredOption(
        '--from <position|time>',
        'first store position (inclusive) or recording time (ISO 8601)',
      )
      .option(
        '--to <position|time>',
        'last position (inclusive) or recording time (exclusive); default: the head now',
      )
      .requiredOption('--topic <topic>', 'the Kafka topic to publish to')
      .option('--type <prefix...>', 'only event types starting with these, e.g. aidwatch.flag.')
      .option('--brokers <host:port,...>', 'Kafka brokers (default: KAFKA_BROKERS)')
      .option('--batch <n>', 'events per send', '500'),
  ).action(async (options: ReplayOptions) => {
    const range = {
      from: bound(options.from, 'from'),
      to: options.to === undefined ? undefined : bound(options.to, 'to'),
      eventTypePrefixes: options.type,
    };
    const batchSize = Number(options.batch);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new UsageError('--batch must be a positive integer');
    const { store, config } = openReadableStore(options);
    const brokers = options.brokers?.split(',').map((b) => b.trim()) ?? config.kafka?.brokers;
    if (!brokers?.length) {
      await store.close();
      throw new UsageError('no Kafka brokers: pass --brokers or set KAFKA_BROKERS');
    }
    const replayId = randomUUID();
    const headers = new Map<CloudEvent, Record<string, string>>();
    const publisher = KafkaPublisher.fromConfig(
      { brokers, clientId: `${config.kafka?.clientId ?? 'aidwatch'}-replay` },
      { topic: options.topic, headersOf: (event) => headers.get(event) ?? {} },
      // The client's own retry log is not for a terminal: one line below says what went wrong.
      { logLevel: 'nothing' },
    );
    let count = 0;
    try {
      // Unreachable brokers are missing input (exit 2), said in one line before anything is read.
      await publisher.connect().catch((error: unknown) => {
        throw new UsageError(
          `cannot reach Kafka at ${brokers.join(',')} (${(error as Error).message}): check --brokers or KAFKA_BROKERS`,
        );
      });
      let batch: ReplayedEvent[] = [];
      const send = async () => {
        for (const r of batch) headers.set(r.event, r.headers);
        await publisher.publish(batch.map((r) => r.event));
        headers.clear();
        count += batch.length;
        batch = [];
      };
      for await (const replayed of replayable(store, range, replayId)) {
        batch.push(replayed);
        if (batch.length >= batchSize) await send();
      }
      if (batch.length > 0) await send();
    } finally {
      await publisher.stop();
      await store.close();
    }
    print(options, `replayed ${count} events to ${options.topic} (x-replay-id ${replayId})`, {
      replayId,
      topic: options.topic,
      events: count,
    });
  });
}
