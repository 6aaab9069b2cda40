import { bool, cleanEnv, makeValidator, str, EnvError, EnvMissingError } from 'envalid';
import * as path from 'node:path';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const brokerList = makeValidator<string[]>((input) => {
  const brokers = input
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(b)) throw new EnvError(`"${b}" is not host:port`);
  }
  return brokers;
});

const tcpPort = makeValidator<number>((input) => {
  const n = Number(input);
  if (!/^\d+$/.test(input.trim()) || n > 65535)
    throw new EnvError(`"${input}" is not a port number (0-65535)`);
  return n;
});

const positive = makeValidator<number>((input) => {
  const n = Number(input);
  if (!Number.isFinite(n) || n <= 0) throw new EnvError(`"${input}" is not a positive number`);
  return n;
});

const wholeAtLeastZero = makeValidator<number>((input) => {
  const n = Number(input);
  if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(n))
    throw new EnvError(`"${input}" is not a whole number ≥ 0`);
  return n;
});

/** How the Kafka intake consumes (see KafkaInbound). */
export interface KafkaIntakeSettings {
  commitIntervalMs: number;
  partitionsConsumedConcurrently: number;
  /** Event-time alignment of partitions while catching up; undefined when switched off (drift 0). */
  alignment?: { maxDriftMs: number; idleAfterMs: number };
}

export interface AppConfig {
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  eventStore:
    { kind: 'embedded'; path: string } | { kind: 'memory' } | { kind: 'kurrentdb'; connectionString: string };
  /** Where projection checkpoints and snapshots are kept. */
  checkpointPath: string;
  kafka?: { brokers: string[]; clientId: string; groupId: string };
  kafkaIntake: KafkaIntakeSettings;
  demo: boolean;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** Detection settings, applied over the defaults of each rule set. */
  detection: Record<string, number>;
}

/**
 * Reads every setting from the environment. Throws ConfigError naming each bad or missing variable.
 * `defaults` lets an entry point choose its own defaults (the all-in-one demo turns DEMO on).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { demo?: boolean; logPretty?: boolean } = {},
): AppConfig {
  const problems: string[] = [];
  const e = cleanEnv(
    env,
    {
      PORT: tcpPort({ default: 3000, desc: 'HTTP port (0 picks a free one)' }),
      LOG_LEVEL: str({
        choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        default: 'info',
      }),
      LOG_PRETTY: bool({ default: defaults.logPretty ?? false }),
      EVENT_STORE: str({ choices: ['embedded', 'memory', 'kurrentdb'], default: 'embedded' }),
      DATA_DIR: str({ default: './data' }),
      KURRENTDB_CONNECTION_STRING: str({ default: '' }),
      KAFKA_BROKERS: brokerList({ default: [] }),
      KAFKA_CLIENT_ID: str({ default: 'aidwatch' }),
      KAFKA_GROUP_ID: str({ default: 'aidwatch-ingestor' }),
      KAFKA_COMMIT_INTERVAL_MS: wholeAtLeastZero({ default: 1000 }),
      KAFKA_PARTITIONS_CONCURRENTLY: positive({ default: 4 }),
      KAFKA_ALIGNMENT_MAX_DRIFT_MS: wholeAtLeastZero({ default: 300_000 }),
      KAFKA_ALIGNMENT_IDLE_MS: positive({ default: 3000 }),
      DEMO: bool({ default: defaults.demo ?? false }),
      CHECKPOINT_EVERY_EVENTS: positive({ default: 5000 }),
      CHECKPOINT_EVERY_MS: positive({ default: 2000 }),
    },
    {
      reporter: ({ errors }) => {
        for (const [name, err] of Object.entries(errors)) {
          if (err instanceof EnvMissingError) problems.push(`${name} is required`);
          else problems.push(`${name}: ${(err as Error).message}`);
        }
      },
    },
  );
  const detection = detectionOverrides(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  if (e.EVENT_STORE === 'kurrentdb' && !e.KURRENTDB_CONNECTION_STRING) {
    problems.push('KURRENTDB_CONNECTION_STRING is required when EVENT_STORE=kurrentdb');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    logLevel: e.LOG_LEVEL as AppConfig['logLevel'],
    logPretty: e.LOG_PRETTY,
    eventStore:
      e.EVENT_STORE === 'kurrentdb'
        ? { kind: 'kurrentdb', connectionString: e.KURRENTDB_CONNECTION_STRING }
        : e.EVENT_STORE === 'memory'
          ? { kind: 'memory' }
          : { kind: 'embedded', path: path.join(dataDir, 'events.sqlite') },
    checkpointPath: e.EVENT_STORE === 'memory' ? ':memory:' : path.join(dataDir, 'projections.sqlite'),
    kafka:
      e.KAFKA_BROKERS.length > 0
        ? { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, groupId: e.KAFKA_GROUP_ID }
        : undefined,
    kafkaIntake: {
      commitIntervalMs: e.KAFKA_COMMIT_INTERVAL_MS,
      partitionsConsumedConcurrently: Math.floor(e.KAFKA_PARTITIONS_CONCURRENTLY),
      alignment:
        e.KAFKA_ALIGNMENT_MAX_DRIFT_MS > 0
          ? { maxDriftMs: e.KAFKA_ALIGNMENT_MAX_DRIFT_MS, idleAfterMs: e.KAFKA_ALIGNMENT_IDLE_MS }
          : undefined,
    },
    demo: e.DEMO,
    checkpointEveryEvents: e.CHECKPOINT_EVERY_EVENTS,
    checkpointEveryMs: e.CHECKPOINT_EVERY_MS,
    detection,
  };
}

/** `DETECTION_<SETTING>` variables (e.g. DETECTION_SHRINKAGE_TOLERANCE_PCT=3) override detection defaults. */
function detectionOverrides(env: NodeJS.ProcessEnv, problems: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('DETECTION_') || raw === undefined) continue;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0) {
      problems.push(`${name}: "${raw}" is not a non-negative number`);
      continue;
    }
    out[name.slice('DETECTION_'.length)] = value;
  }
  return out;
}
