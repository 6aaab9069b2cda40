import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { InboundTopics, Topics } from '@aidwatch/domain';
import { createKafkaClient } from '@aidwatch/messaging';
import type { Kafka } from 'kafkajs';
import * as lockfile from 'proper-lockfile';

export interface KafkaBroker {
  brokers: string[];
  /** Where it came from: the environment, a container, or the local jar broker of infra/kafka. */
  source: 'env' | 'container' | 'local';
  /** Stops the broker if this helper started it; a broker from KAFKA_BROKERS is left running. */
  stop(): Promise<void>;
}

export const KAFKA_IMAGE = 'apache/kafka:3.9.2';
const kafkaDir = path.resolve(__dirname, '../../infra/kafka');

/**
 * A real Kafka broker for a test: KAFKA_BROKERS if set, else a container when a Docker engine answers,
 * else the local jar broker (infra/kafka/start.sh) on free ports in a temporary directory.
 */
export async function getKafkaBroker(): Promise<KafkaBroker> {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) {
    return { brokers: fromEnv.split(',').map((b) => b.trim()), source: 'env', stop: async () => undefined };
  }
  const { containerRuntimeAvailable } = await import('./container-runtime');
  if (await containerRuntimeAvailable()) return startContainer();
  const local = localBrokerMissing();
  if (local) throw new Error(`No Kafka broker for this test: ${unavailable(local)}`);
  return startLocal();
}

/**
 * Why no broker can be had, or undefined when one can. Decided without starting anything, so a spec can
 * choose `describe.skip` at load time; getKafkaBroker() still reports a broker that then fails to start.
 */
export function kafkaUnavailableReason(): string | undefined {
  if (process.env.KAFKA_BROKERS?.trim()) return undefined;
  if (dockerConfigured()) return undefined;
  const local = localBrokerMissing();
  return local ? unavailable(local) : undefined;
}

/**
 * `describe` for specs that need Kafka. Without a broker the suite is skipped with the reason in its
 * title, except under CI=true, where a missing broker fails loudly.
 */
export function describeWithKafka(title: string, suite: () => void): void {
  const reason = kafkaUnavailableReason();
  if (!reason) return describe(title, suite);
  if (process.env.CI === 'true') throw new Error(`CI=true but Kafka is unavailable: ${reason}`);
  describe.skip(`${title} [skipped: ${reason}]`, suite);
}

/**
 * Suites that produce into the contract topics of a shared broker (KAFKA_BROKERS, as CI runs them) and compare
 * what running services made of it take turns: the suite holds a lock file per broker (proper-lockfile, across
 * Jest workers) from its first hook to its last, so no other suite's records land among its own. A holder that
 * died without releasing it lets go after 30 s. Call at the top of the suite's `describe`, before its hooks.
 * Brokers a suite starts for itself need no turn.
 */
export function takeTurnsOnSharedTopics(): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const brokers = process.env.KAFKA_BROKERS?.trim();
    if (!brokers) return;
    const file = path.join(os.tmpdir(), `aidwatch-kafka-topics-${brokers.replace(/[^A-Za-z0-9.-]+/g, '_')}`);
    fs.closeSync(fs.openSync(file, 'a'));
    release = await lockfile.lock(file, {
      stale: 30_000,
      // Up to 15 minutes: the other suites' turns.
      retries: { retries: 1800, minTimeout: 250, maxTimeout: 500, factor: 1.2 },
    });
  }, 16 * 60_000);
  afterAll(async () => {
    await release?.();
  });
}

function unavailable(local: string): string {
  return `KAFKA_BROKERS is not set, no Docker engine is configured, and ${local}`;
}

async function startContainer(): Promise<KafkaBroker> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const advertisedFile = '/tmp/advertised-listeners';
  // The image reads its settings from KAFKA_* variables. The advertised address needs the mapped port,
  // known only once the container runs, so the entry command waits for it to be copied in.
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts(9092)
    .withEnvironment({
      CLUSTER_ID: '1ShVyp6L1Ddmsre4aExM6w',
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
      KAFKA_NUM_PARTITIONS: '3',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m',
    })
    .withEntrypoint(['sh', '-c'])
    .withCommand([
      'echo "waiting for listeners"; ' +
        `while [ ! -s ${advertisedFile} ]; do sleep 0.1; done; ` +
        `export KAFKA_ADVERTISED_LISTENERS="$(cat ${advertisedFile})"; ` +
        'exec /etc/kafka/docker/run',
    ])
    .withWaitStrategy(Wait.forLogMessage('waiting for listeners'))
    .withStartupTimeout(120_000)
    .start();
  const broker = `${container.getHost()}:${container.getMappedPort(9092)}`;
  await container.copyContentToContainer([
    { content: `PLAINTEXT://${broker},BROKER://localhost:9093`, target: advertisedFile, mode: 0o644 },
  ]);
  try {
    await waitUntilAnswering(broker, 90_000);
  } catch (error) {
    await container.stop();
    throw error;
  }
  return { brokers: [broker], source: 'container', stop: async () => void (await container.stop()) };
}

/** A local jar broker this test owns: it can be stopped and started again on the same ports and data. */
export interface RestartableBroker extends KafkaBroker {
  /** Stops the broker process (its data stays), as an outage would. */
  pause(): Promise<void>;
  /** Starts it again on the same ports and data. */
  resume(): Promise<void>;
}

/**
 * The local jar broker of infra/kafka on free ports, always started here (never KAFKA_BROKERS: a shared
 * broker must not be stopped), for tests of outages. `describeWithLocalBroker` guards its availability.
 */
export async function startRestartableBroker(): Promise<RestartableBroker> {
  const local = localBrokerMissing();
  if (local) throw new Error(`No local Kafka broker for this test: ${local}`);
  return startLocal();
}

/** `describe` for specs that need a broker of their own; under CI=true a missing one fails loudly. */
export function describeWithLocalBroker(title: string, suite: () => void): void {
  const reason = localBrokerMissing();
  if (!reason) return describe(title, suite);
  if (process.env.CI === 'true') throw new Error(`CI=true but no local Kafka broker can run: ${reason}`);
  describe.skip(`${title} [skipped: ${reason}]`, suite);
}

async function startLocal(): Promise<RestartableBroker> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-kafka-'));
  const [port, controllerPort] = await freePorts(2);
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_RUN_DIR: runDir,
  };
  const { stdout } = await run('bash', [path.join(kafkaDir, 'start.sh')], env, 300_000);
  const brokers = /^KAFKA_BROKERS=(.+)$/m.exec(stdout)?.[1];
  if (!brokers) throw new Error(`infra/kafka/start.sh printed no KAFKA_BROKERS line:\n${stdout}`);

  // If the test process dies without stop(), the broker must not outlive it.
  const killOnExit = () => {
    try {
      // Read at exit: a broker started again (resume) has another pid.
      process.kill(Number(fs.readFileSync(path.join(runDir, 'kafka.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);

  // Started again on the data the stopped broker left (start.sh otherwise begins with an empty broker: its
  // topics, records and group offsets gone, which an outage test would read as data lost by the consumers).
  const startScript = () =>
    run('bash', [path.join(kafkaDir, 'start.sh')], { ...env, KAFKA_KEEP_DATA: '1' }, 300_000);
  const stopScript = () => run('bash', [path.join(kafkaDir, 'stop.sh')], env, 60_000);
  return {
    brokers: brokers.split(','),
    source: 'local',
    pause: async () => void (await stopScript()),
    resume: async () => {
      await startScript();
      await waitUntilAnswering(brokers.split(',')[0], 90_000);
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await run('bash', [path.join(kafkaDir, 'stop.sh')], env, 60_000);
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilAnswering(broker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const client = createKafkaClient(
    { brokers: [broker], clientId: 'aidwatch-test-probe' },
    { logLevel: 'nothing' },
  );
  for (;;) {
    const admin = client.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Kafka at ${broker} did not answer: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** Why infra/kafka/start.sh cannot run here, or undefined when it can. */
function localBrokerMissing(): string | undefined {
  if (!onPath('java')) return 'java is not installed for infra/kafka/start.sh';
  if (!onPath('bash')) return 'bash is not installed for infra/kafka/start.sh';
  const cache = process.env.KAFKA_CACHE_DIR ?? path.join(kafkaDir, '.cache');
  const cached = fs.existsSync(cache) && fs.readdirSync(cache).some((d) => /^kafka-/.test(d));
  if (!cached && !onPath('mvn'))
    return 'Maven is not installed to download the broker for infra/kafka/start.sh';
  return undefined;
}

function dockerConfigured(): boolean {
  if (process.env.DOCKER_HOST) return true;
  const sockets = ['/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock')];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(path.join(process.env.XDG_RUNTIME_DIR, 'podman/podman.sock'));
  return (
    sockets.some((s) => fs.existsSync(s)) ||
    fs.existsSync(path.join(os.homedir(), '.testcontainers.properties'))
  );
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, command), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeout: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${path.basename(args[0] ?? command)} failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/**
 * Sets `groupId`'s committed offsets to the current end of every contract inbound topic, so a system started
 * with that group reads only what is produced from now on — not what other tests sharing the broker left
 * there. Call before the group's first member starts. A topic another test is creating at the same moment
 * may have no leader yet: the broker's retriable answers (not the leader, leader not available, unknown
 * partition) are asked again for up to 30 s.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const endsOf = async (topic: string) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };
  try {
    for (const topic of InboundTopics) {
      const ends = await endsOf(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates every contract topic with 3 partitions (as the Kafka end-to-end tests expect), rather than
 * leaving them to be auto-created with the broker's defaults. Topics that exist are left as they are.
 */
export async function createContractTopics(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: Object.values(Topics).map((topic) => ({ topic, numPartitions: 3 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates `topics` with at least the partitions asked (a topic that exists with fewer gets more), leaders
 * elected, so a test can produce to a partition by number.
 */
export async function ensurePartitions(
  kafka: Kafka,
  topics: ReadonlyArray<{ topic: string; partitions: number }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
      waitForLeaders: true,
    });
    const metadata = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
    for (const { topic, partitions } of topics) {
      const found = metadata.topics.find((m) => m.name === topic)?.partitions.length ?? 0;
      if (found < partitions)
        await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
    }
  } finally {
    await admin.disconnect();
  }
}
