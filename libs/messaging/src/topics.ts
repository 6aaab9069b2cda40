import { Topics } from '@aidwatch/domain';
import type { KafkaAdminPort, TopicSpec } from './kafka-client.port';

/** Every topic of the external contract, inbound, outbound and dead letters. */
export const AIDWATCH_TOPICS: readonly string[] = Object.values(Topics);

/** Creates the topics that do not exist yet (with a connected admin) and returns the names it created. */
export async function ensureTopics(
  admin: KafkaAdminPort,
  topics: ReadonlyArray<string | TopicSpec>,
): Promise<string[]> {
  const specs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  await admin.createTopics(missing);
  return missing.map((s) => s.topic);
}
