import { bool, cleanEnv, makeValidator, str, EnvError, EnvMissingError } from 'envalid';
import { isIP } from 'node:net';
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

/** The most item lines one event may carry (`ListLimits.items` of the contract, `@aidwatch/domain`). */
export const MAX_ITEM_LINES_PER_EVENT = 500;

const nonNegativeInt = makeValidator<number>((input) => {
  if (!/^\d+$/.test(input.trim())) throw new EnvError(`"${input}" is not a whole number`);
  return Number(input);
});

const positiveInt = makeValidator<number>((input) => {
  if (!/^\d+$/.test(input.trim()) || Number(input) < 1)
    throw new EnvError(`"${input}" is not a positive whole number`);
  return Number(input);
});

/** A whole number within [min, max]. */
const wholeNumberWithin = (min: number, max: number) =>
  makeValidator<number>((input) => {
    if (!/^\d+$/.test(input.trim()) || Number(input) < min || Number(input) > max)
      throw new EnvError(`"${input}" is not a whole number from ${min} to ${max}`);
    return Number(input);
  });

/**
 * `LIMIT_JSON_DEPTH`'s bounds: the contract's deepest event nests 4 levels (a batch's array one more), so
 * fewer than 8 would refuse valid events; storing JSON nested some thousands of levels overflows the stack
 * (`JSON.stringify` from about 6,000), so more than 1,000 would let a poison event through.
 */
export const JSON_DEPTH_BOUNDS = { min: 8, max: 1000 } as const;

const originList = makeValidator<string[]>((input) => {
  const origins = input
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(o)) throw new EnvError(`"${o}" is not an origin (scheme://host[:port])`);
  }
  return origins;
});

/**
 * `TRUST_PROXY`: which reverse proxies in front of AidWatch are trusted to say the client address
 * (`X-Forwarded-For`), as Express's `trust proxy` setting takes it: `false` (default, the connecting
 * address is the client's), a number of proxy hops, or a comma-separated list of addresses, subnets
 * (CIDR) and the names `loopback`, `linklocal`, `uniquelocal`. `true` (trust any) is refused: anyone
 * could then choose the address the failed-credential limit counts.
 */
const trustProxy = makeValidator<false | number | string[]>((input) => {
  const value = input.trim();
  if (value === '' || value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true')
    throw new EnvError(
      'TRUST_PROXY=true would trust any sender; name the proxies (addresses, subnets) or a hop count',
    );
  const entries = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || rest.length > 0)
      throw new EnvError(
        `"${entry}" is not a proxy address, subnet (CIDR), loopback, linklocal or uniquelocal`,
      );
  }
  return entries;
});

/** Identity and access: where API keys live and which identity provider's JWTs are accepted. */
export interface AccessConfig {
  /** SQLite file of API keys (salted hashes), or ':memory:'. */
  keyStorePath: string;
  jwt?: {
    jwksUrl?: string;
    jwksFile?: string;
    issuer: string;
    audience: string;
    /** Whether a token's `aidwatch_role: admin` is honoured (`AUTH_JWT_ALLOW_ADMIN`, default false). */
    allowAdmin?: boolean;
    /** Whether a token's `aidwatch_role: operator` is honoured (`AUTH_JWT_ALLOW_OPERATOR`, default false). */
    allowOperator?: boolean;
    /**
     * Whether a producer token without `aidwatch_tenant` is accepted as a producer of no organisation
     * (`AUTH_JWT_ALLOW_TENANTLESS_PRODUCER`, default false).
     */
    allowTenantlessProducers?: boolean;
    /** `AUTH_JWT_MAX_LIFETIME_SECONDS`: the longest a token may still be valid when presented. */
    maxLifetimeSec?: number;
  };
  /**
   * CloudEvents sources (exact, or a prefix ending in `*`) of the sanctions committee (`COMMITTEE_SOURCES`,
   * comma-separated): when set, a producer of no organisation amends or revokes an owned exemption only
   * under one of them. Empty: every such producer speaks for the committee.
   */
  committeeSources: string[];
}

/** Limits on what one request may carry; each breach is answered with a clear 4xx. */
export interface InputLimits {
  /** Largest request body, bytes (413 before parsing). */
  bodyBytes: number;
  /** Most events in one batch. */
  batchEvents: number;
  /** Deepest nesting of JSON objects and arrays. */
  jsonDepth: number;
  /** Longest identifier (CloudEvents id, source, subject, ids in data), in characters. */
  identifierLength: number;
  /** Longest free-text string (names, descriptions, reasons), in characters. */
  textLength: number;
  /** Most error details in one response (the rest are counted). */
  errorDetails: number;
  /**
   * Most bytes of stored events (their JSON) one page of `GET /streams/:id` or of a timeline carries
   * (`LIMIT_RESPONSE_BYTES`, default 8 MiB); a page stops before the event that would pass it (one event at
   * least) and says where the next begins.
   */
  responseBytes: number;
  /**
   * Most unexpired (pending or active) silences one organisation holds at once (`LIMIT_SILENCES_PER_TENANT`,
   * default 1000); operators' silences count as one more organisation. Beyond it, creating one is a 409.
   */
  silencesPerTenant: number;
  /** Most webhook subscriptions one organisation holds (`LIMIT_SUBSCRIPTIONS_PER_TENANT`, default 100); beyond, 409. */
  subscriptionsPerTenant: number;
  /**
   * Events one organisation's credentials together may send over HTTP (`POST /events`, field intake) in each
   * window (`LIMIT_TENANT_EVENTS` per `LIMIT_TENANT_EVENTS_WINDOW_SEC`, default 6,000 a minute; in each
   * ingestor process). Beyond it a request is a 429 with `Retry-After`; producers of no organisation (the
   * deployment's feeds) are not counted. So one organisation cannot flood the shared store, detection and
   * alert book for the others (a per-tenant ingestion rate, as in multi-tenant Prometheus/Mimir).
   */
  tenantEvents: {
    perWindow: number;
    windowMs: number;
    /**
     * Lines per window (`LIMIT_TENANT_ITEM_LINES`, default 10,000; 0: no limit): the entries of every list in
     * events' data, as stored; detection's work, memory and the flags an event can raise grow with them. Over it, 429 with `Retry-After`;
     * one request over it, 413.
     */
    itemLinesPerWindow: number;
    /**
     * Flag records one organisation's events caused, or the deployment's feeds raised and it is shown (`LIMIT_TENANT_FLAGS`, default 5,000; 0: no limit): then its
     * HTTP writes are a 403 until an operator raises it. Every flag is held in memory by the read model, the
     * alert book and detection (about 7 KB a flag, the consignment's state included, measured). Counted from
     * the flags stored, so an organisation may pass it by the flags of what it sent before they were folded: at
     * most one window of lines (about 0.42 flag a line outside the exemption) while detection keeps up.
     */
    flags: number;
    /**
     * Events of one organisation's consignments the store may hold, each weighing one and one per 2 KB of data
     * (`LIMIT_TENANT_STORED_EVENTS`, default 20,000; 0: no limit): then its HTTP writes are a 403 until an operator raises it. Detection and the read
     * model keep every consignment's facts in memory (about 3 KB an event, flags included, measured).
     */
    storedEvents: number;
    /**
     * One organisation's consignments aboard (or bound for) one vessel at once (`LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL`,
     * default 100; 0: no limit): a registration or load that would pass it is a 403. Every flag of a vessel names
     * the aid on board and each load raises the vessel's open flags again, so one organisation crowding another's
     * vessel would otherwise make each load cost more than the last.
     */
    consignmentsPerVessel: number;
    /**
     * Actions on alerts (acknowledge, resolve, assign, comment) one organisation's credentials together take in
     * each window (`LIMIT_TENANT_ALERT_ACTIONS`, default 600; 0: no limit); over it, 429 with `Retry-After`.
     */
    alertActions: number;
    /**
     * Largest event (as JSON, bytes) an organisation's credential may write (`LIMIT_TENANT_EVENT_BYTES`,
     * default 131,072; 0: no limit): an event of the most lines the contract allows is well under it, and
     * what it costs the store, memory and a reader of its stream is bounded. Over it, 413.
     */
    eventBytes: number;
  };
  /**
   * Events dated (CloudEvents `time` or `data.at`) later than received plus this many seconds are refused
   * (`MAX_FUTURE_SKEW`, default 300): a producer's wrong clock must not move event time for everyone.
   */
  maxFutureSkewSec: number;
}

export interface HttpConfig {
  /** Interface to listen on: 127.0.0.1 by default, 0.0.0.0 in the container. */
  host: string;
  /** Origins allowed to call the API from a browser (CORS); empty: none. */
  corsOrigins: string[];
  /**
   * Reverse proxies trusted to name the client address in `X-Forwarded-For` (`TRUST_PROXY`, Express's
   * `trust proxy`): false (default), a hop count, or addresses/subnets.
   */
  trustProxy: false | number | string[];
  /** Requests per credential (or per address without one) in each window. */
  rateLimit: { requests: number; windowMs: number };
  /**
   * Refused credentials per client address in each window (`AUTH_FAILURES_PER_ADDRESS`,
   * `AUTH_FAILURE_WINDOW_SEC`); beyond it every credential from that address is answered 429 until the
   * window ends (OWASP Authentication Cheat Sheet: throttle failed attempts).
   */
  authFailures: { perAddress: number; windowMs: number };
  /**
   * Server-Sent Events: bytes buffered for one slow client before it is dropped; most history events sent in
   * one slice of the event loop (`SSE_HISTORY_PAGE`); most alert streams one organisation holds open at once
   * (`SSE_STREAMS_PER_TENANT`; operators each count as one; beyond, 429).
   */
  sse: { maxBufferedBytes: number; historyPageSize: number; streamsPerTenant: number };
}

/** How the Kafka intake consumes (see KafkaInbound). */
export interface KafkaIntakeSettings {
  commitIntervalMs: number;
  partitionsConsumedConcurrently: number;
  /** Event-time alignment of partitions while catching up; undefined when switched off (drift 0). */
  alignment?: { maxDriftMs: number; idleAfterMs: number };
  /**
   * A member silent this long is dropped from the group and its partitions go to the others (ms; kafkajs
   * default 30 s; the broker's group.min.session.timeout.ms, 6 s by default, is the floor). 10 s: after a
   * kill -9 the survivors take over within about that.
   */
  sessionTimeoutMs: number;
  /** Heartbeats to the group coordinator this often (ms; under a third of the session timeout). */
  heartbeatIntervalMs: number;
  /** Kafka intake reports itself degraded when a fetch has not come back from the broker for this long (ms). */
  unreachableAfterMs: number;
  /**
   * Caught-up markers (docs/time-model.md 5, "The end of a delivery"): a partition whose records are all
   * stored and that has had no new one for `quietMs` gets an `aidwatch.partition.caught-up.v1`, repeated at
   * doubling intervals up to `maxIntervalMs` while it stays so. Undefined when switched off
   * (`KAFKA_CAUGHT_UP_QUIET_MS=0`).
   */
  caughtUp?: { quietMs: number; maxIntervalMs: number };
}

/** Field-tool and AIS intake settings. */
export interface IntakeConfig {
  /** UTC offset (`+HH:MM`) of the field form's time zone, for submission times without a zone. */
  fieldFormUtcOffset: string;
  /** JSON file overriding parts of the field form mapping (docs/field-intake.md), if any. */
  fieldMappingFile?: string;
  /** How long fragments of a multipart AIS message wait for the others, per station (ms). */
  aisFragmentWindowMs: number;
  /** The same AIS sentence heard by several stations within this time is one event (ms). */
  aisDuplicateWindowMs: number;
  /**
   * An AIS source heard over HTTP, UDP or TCP that then sends nothing for this long gets a quiet marker
   * (`aidwatch.input.quiet.v1`, docs/time-model.md 7) (ms, `HTTP_INPUT_QUIET_MS`; 0: none).
   */
  inputQuietMs: number;
  /** NMEA over UDP (`AIS_UDP_PORT`, `AIS_UDP_STATIONS`): where to listen and which senders are which station. */
  aisUdp?: { host: string; port: number; stations: AisUdpStation[] };
  /** NMEA over TCP (`AIS_TCP_SOURCES`): receivers' NMEA servers to connect to, each a station. */
  aisTcp: AisTcpSource[];
  /** Longest wait between reconnection attempts to a TCP source (ms, `AIS_TCP_RECONNECT_MAX_MS`). */
  aisTcpReconnectMaxMs: number;
  /** Sanctions lists to import periodically; undefined when `SANCTIONS_SOURCES` is unset. */
  sanctions?: SanctionsSourcesConfig;
}

/** Sanctions lists read on a schedule (`SANCTIONS_SOURCES`, `SANCTIONS_FETCH_HOURS`). */
export interface SanctionsSourcesConfig {
  /** `file://` or `https://` locations of list files, each imported as `aidwatch sanctions import` does. */
  urls: string[];
  /** Time between two reads of every source (ms); the first read is at start. */
  everyMs: number;
}

/** A station that sends NMEA datagrams: its name and the IP address its datagrams come from. */
export interface AisUdpStation {
  station: string;
  address: string;
}

/** A receiver's NMEA TCP server: the station name its sentences are stored under, and where it listens. */
export interface AisTcpSource {
  station: string;
  host: string;
  port: number;
}

/** A station name as `POST /ais/nmea?station=` takes it: letters, digits, `.`, `_`, `-`; 1 to 64 characters. */
const STATION = /^[A-Za-z0-9._-]{1,64}$/;

/** `station=value,station=value`: pairs with a valid station name each, stations unique. */
function stationPairs(input: string, what: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const item of input
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=');
    const station = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (at < 0 || !STATION.test(station) || value === '')
      throw new EnvError(`"${item}" is not station=${what} (station: letters, digits, . _ -, at most 64)`);
    if (pairs.some(([s]) => s === station)) throw new EnvError(`station ${station} is named twice`);
    pairs.push([station, value]);
  }
  return pairs;
}

const sanctionsUrls = makeValidator<string[]>((input) => {
  const urls = input
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new EnvError(`"${url}" is not a URL`);
    }
    if (protocol !== 'file:' && protocol !== 'https:')
      throw new EnvError(`"${url}" is neither file:// nor https://`);
  }
  return urls;
});

const udpStations = makeValidator<AisUdpStation[]>((input) =>
  stationPairs(input, 'sender-ip').map(([station, address]) => {
    if (isIP(address) === 0) throw new EnvError(`"${address}" is not an IP address`);
    return { station, address };
  }),
);

const tcpSources = makeValidator<AisTcpSource[]>((input) =>
  stationPairs(input, 'host:port').map(([station, target]) => {
    const m = /^([\w.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(target);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new EnvError(`"${target}" is not host:port`);
    return { station, host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }),
);

const utcOffset = makeValidator<string>((input) => {
  const value = input.trim() === 'Z' ? '+00:00' : input.trim();
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(value);
  if (!match || Number(match[2]) > 14 || Number(match[3]) > 59)
    throw new EnvError(`"${input}" is not a UTC offset such as +09:00 or -05:00`);
  return value;
});

export interface AppConfig {
  port: number;
  intake: IntakeConfig;
  http: HttpConfig;
  access: AccessConfig;
  limits: InputLimits;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  eventStore:
    | { kind: 'embedded'; path: string; writer: 'worker' | 'inline' }
    | { kind: 'memory' }
    | { kind: 'kurrentdb'; connectionString: string }
    | { kind: 'postgres'; connectionString: string };
  /** Where projection checkpoints and snapshots are kept. */
  checkpointPath: string;
  /** The per-data-subject keys of personal data (crypto-shredding), kept apart from the event log. */
  subjectKeysPath: string;
  kafka?: { brokers: string[]; clientId: string; groupId: string };
  kafkaIntake: KafkaIntakeSettings;
  demo: boolean;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** Webhook deliveries: durable outbox file, retry policy and per-request timeout. */
  webhooks: {
    path: string;
    maxAttempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    timeoutMs: number;
    /** Whether webhooks may target loopback, private and link-local addresses (off outside `npm start`). */
    allowPrivateTargets: boolean;
  };
  /** How often the detector appends an audit checkpoint (Merkle root over stream heads) if anything changed. */
  auditCheckpointEveryMs: number;
  /**
   * Time to live of the detector's lease in PostgreSQL (EVENT_STORE=postgres): a standby takes over at most
   * this long plus a quarter of it after the active detector stopped renewing (default 10 s: within 12.5 s).
   */
  detectorLeaseTtlMs: number;
  /** Detection settings, applied over the defaults of each rule set. */
  detection: Record<string, number>;
  /** Storage retention of raw AIS positions (docs/audit.md, "Retention of raw positions"). */
  retention: RetentionConfig;
}

export interface RetentionConfig {
  /**
   * Raw AIS positions recorded more than this many days ago (store time) move to archive files, unless a
   * flag cites them, detection has not judged them yet or they are their stream's newest event. 0 keeps
   * everything (`AIS_RETENTION_DAYS`).
   */
  aisDays: number;
  /** Where archive files are written (`AIS_ARCHIVE_DIR`, default `DATA_DIR/archive`). */
  archiveDir: string;
}

/**
 * Reads every setting from the environment. Throws ConfigError naming each bad or missing variable.
 * `defaults` lets an entry point choose its own defaults (the all-in-one demo turns DEMO on).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { demo?: boolean; logPretty?: boolean; webhookPrivateTargets?: boolean; port?: number } = {},
): AppConfig {
  const problems: string[] = [];
  const e = cleanEnv(
    env,
    {
      PORT: tcpPort({ default: defaults.port ?? 3000, desc: 'HTTP port (0 picks a free one)' }),
      LOG_LEVEL: str({
        choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
        default: 'info',
      }),
      LOG_PRETTY: bool({ default: defaults.logPretty ?? false }),
      EVENT_STORE: str({ choices: ['embedded', 'memory', 'kurrentdb', 'postgres'], default: 'embedded' }),
      DATA_DIR: str({ default: './data' }),
      EMBEDDED_WRITER: str({
        choices: ['worker', 'inline'],
        default: 'worker',
        desc: "Where the embedded store writes appends: on a worker thread of its own ('worker') or inline",
      }),
      KURRENTDB_CONNECTION_STRING: str({ default: '' }),
      DATABASE_URL: str({ default: '', desc: 'PostgreSQL connection URI (EVENT_STORE=postgres)' }),
      KAFKA_BROKERS: brokerList({ default: [] }),
      KAFKA_CLIENT_ID: str({ default: 'aidwatch' }),
      KAFKA_GROUP_ID: str({ default: 'aidwatch-ingestor' }),
      KAFKA_COMMIT_INTERVAL_MS: nonNegativeInt({ default: 1000 }),
      KAFKA_PARTITIONS_CONCURRENTLY: positiveInt({ default: 4 }),
      KAFKA_ALIGNMENT_MAX_DRIFT_MS: nonNegativeInt({ default: 300_000 }),
      KAFKA_ALIGNMENT_IDLE_MS: positive({ default: 3000 }),
      KAFKA_SESSION_TIMEOUT_MS: positiveInt({ default: 10_000 }),
      KAFKA_HEARTBEAT_INTERVAL_MS: positiveInt({ default: 3000 }),
      KAFKA_UNREACHABLE_AFTER_MS: positiveInt({ default: 10_000 }),
      KAFKA_CAUGHT_UP_QUIET_MS: nonNegativeInt({ default: 2000 }),
      KAFKA_CAUGHT_UP_MAX_INTERVAL_MS: positiveInt({ default: 600_000 }),
      DEMO: bool({ default: defaults.demo ?? false }),
      CHECKPOINT_EVERY_EVENTS: positive({ default: 100_000 }),
      CHECKPOINT_EVERY_MS: positive({ default: 10_000 }),
      WEBHOOK_MAX_ATTEMPTS: positive({ default: 8 }),
      WEBHOOK_BASE_DELAY_MS: positive({ default: 5000 }),
      WEBHOOK_MAX_DELAY_MS: positive({ default: 3_600_000 }),
      WEBHOOK_TIMEOUT_MS: positive({ default: 10_000 }),
      WEBHOOK_PRIVATE_TARGETS: bool({ default: defaults.webhookPrivateTargets ?? false }),
      HOST: str({ default: '127.0.0.1', desc: 'interface to listen on (0.0.0.0 in the container)' }),
      CORS_ORIGINS: originList({ default: [] }),
      TRUST_PROXY: trustProxy({ default: false }),
      RATE_LIMIT_REQUESTS: positiveInt({ default: 1200 }),
      RATE_LIMIT_WINDOW_SEC: positiveInt({ default: 60 }),
      AUTH_FAILURES_PER_ADDRESS: positiveInt({ default: 20 }),
      AUTH_FAILURE_WINDOW_SEC: positiveInt({ default: 300 }),
      SSE_MAX_BUFFERED_BYTES: positiveInt({ default: 1_048_576 }),
      SSE_HISTORY_PAGE: positiveInt({ default: 500 }),
      SSE_STREAMS_PER_TENANT: positiveInt({ default: 20 }),
      ACCESS_KEYS_FILE: str({ default: '' }),
      AUTH_JWKS_URL: str({ default: '' }),
      AUTH_JWKS_FILE: str({ default: '' }),
      AUTH_JWT_ISSUER: str({ default: '' }),
      AUTH_JWT_AUDIENCE: str({ default: 'aidwatch' }),
      COMMITTEE_SOURCES: str({ default: '' }),
      AUTH_JWT_ALLOW_ADMIN: bool({
        default: false,
        desc: 'honour aidwatch_role=admin in identity-provider tokens (off: admin comes only from the key store)',
      }),
      AUTH_JWT_ALLOW_OPERATOR: bool({
        default: false,
        desc: 'honour aidwatch_role=operator in identity-provider tokens (off: operators come only from the key store)',
      }),
      AUTH_JWT_ALLOW_TENANTLESS_PRODUCER: bool({
        default: false,
        desc: "accept producer tokens without aidwatch_tenant (the deployment's own feeds and relays; off: API keys only)",
      }),
      AUTH_JWT_MAX_LIFETIME_SECONDS: positiveInt({ default: 86_400 }),
      LIMIT_BODY_BYTES: positiveInt({ default: 1_048_576 }),
      LIMIT_BATCH_EVENTS: positiveInt({ default: 1000 }),
      LIMIT_RESPONSE_BYTES: positiveInt({ default: 8 * 1024 * 1024 }),
      LIMIT_TENANT_EVENTS: positiveInt({ default: 6_000 }),
      LIMIT_TENANT_EVENTS_WINDOW_SEC: positiveInt({ default: 60 }),
      LIMIT_TENANT_ITEM_LINES: nonNegativeInt({ default: 10_000 }),
      LIMIT_TENANT_FLAGS: nonNegativeInt({ default: 5_000 }),
      LIMIT_TENANT_STORED_EVENTS: nonNegativeInt({ default: 20_000 }),
      LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL: nonNegativeInt({ default: 100 }),
      LIMIT_TENANT_ALERT_ACTIONS: nonNegativeInt({ default: 600 }),
      LIMIT_TENANT_EVENT_BYTES: nonNegativeInt({ default: 131_072 }),
      LIMIT_JSON_DEPTH: wholeNumberWithin(JSON_DEPTH_BOUNDS.min, JSON_DEPTH_BOUNDS.max)({ default: 32 }),
      LIMIT_IDENTIFIER_LENGTH: positiveInt({ default: 256 }),
      LIMIT_TEXT_LENGTH: positiveInt({ default: 4096 }),
      LIMIT_ERROR_DETAILS: nonNegativeInt({ default: 20 }),
      LIMIT_SILENCES_PER_TENANT: positiveInt({ default: 1000 }),
      LIMIT_SUBSCRIPTIONS_PER_TENANT: positiveInt({ default: 100 }),
      MAX_FUTURE_SKEW: nonNegativeInt({ default: 300 }),
      AUDIT_CHECKPOINT_EVERY_MS: positive({ default: 60_000 }),
      DETECTOR_LEASE_TTL_MS: positive({ default: 10_000 }),
      FIELD_FORM_UTC_OFFSET: utcOffset({ default: '+00:00' }),
      FIELD_MAPPING_FILE: str({ default: '' }),
      AIS_FRAGMENT_WINDOW_SEC: positive({ default: 120 }),
      AIS_DUPLICATE_WINDOW_SEC: positive({ default: 30 }),
      HTTP_INPUT_QUIET_MS: nonNegativeInt({ default: 30_000 }),
      AIS_UDP_PORT: str({
        default: '',
        desc: 'UDP port for NMEA datagrams on HOST (unset: no UDP listener)',
      }),
      AIS_UDP_STATIONS: udpStations({ default: [], desc: 'station=sender-ip,… accepted on AIS_UDP_PORT' }),
      AIS_TCP_SOURCES: tcpSources({ default: [], desc: 'station=host:port,… NMEA TCP servers to read' }),
      AIS_TCP_RECONNECT_MAX_MS: positiveInt({ default: 30_000 }),
      SANCTIONS_SOURCES: sanctionsUrls({
        default: [],
        desc: 'file:// or https:// sanctions list files, comma-separated',
      }),
      SANCTIONS_FETCH_HOURS: positive({ default: 24 }),
      SUBJECT_KEYS_PATH: str({ default: '' }),
      AIS_RETENTION_DAYS: nonNegativeInt({ default: 0 }),
      AIS_ARCHIVE_DIR: str({ default: '' }),
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
  if (e.EVENT_STORE === 'postgres' && !e.DATABASE_URL) {
    problems.push('DATABASE_URL is required when EVENT_STORE=postgres');
  } else if (e.EVENT_STORE === 'postgres' && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    problems.push('DATABASE_URL: not a postgres:// or postgresql:// connection URI');
  }
  if ((e.AUTH_JWKS_URL || e.AUTH_JWKS_FILE) && !e.AUTH_JWT_ISSUER) {
    problems.push('AUTH_JWT_ISSUER is required when AUTH_JWKS_URL or AUTH_JWKS_FILE is set');
  }
  if (e.AIS_RETENTION_DAYS > 0 && e.EVENT_STORE !== 'embedded') {
    problems.push(
      `AIS_RETENTION_DAYS needs EVENT_STORE=embedded: the ${e.EVENT_STORE} store cannot prune archived events`,
    );
  }
  const udpPort = e.AIS_UDP_PORT.trim();
  if (udpPort !== '' && (!/^\d{1,5}$/.test(udpPort) || Number(udpPort) > 65535))
    problems.push(`AIS_UDP_PORT: "${udpPort}" is not a port number (0-65535)`);
  if (udpPort !== '' && e.AIS_UDP_STATIONS.length === 0)
    problems.push(
      'AIS_UDP_STATIONS is required when AIS_UDP_PORT is set: only configured stations are accepted',
    );
  if (e.LIMIT_TENANT_ITEM_LINES > 0 && e.LIMIT_TENANT_ITEM_LINES < MAX_ITEM_LINES_PER_EVENT)
    problems.push(
      `LIMIT_TENANT_ITEM_LINES (${e.LIMIT_TENANT_ITEM_LINES}) must be 0 (no limit) or at least ${MAX_ITEM_LINES_PER_EVENT}: an event of the most lines the contract allows could never be sent`,
    );
  if (e.LIMIT_TENANT_EVENTS < e.LIMIT_BATCH_EVENTS)
    problems.push(
      `LIMIT_TENANT_EVENTS (${e.LIMIT_TENANT_EVENTS}) must be at least LIMIT_BATCH_EVENTS (${e.LIMIT_BATCH_EVENTS}): a full batch could never be sent`,
    );
  if (e.AUTH_JWKS_URL && !/^https?:\/\//.test(e.AUTH_JWKS_URL)) {
    problems.push(`AUTH_JWKS_URL: "${e.AUTH_JWKS_URL}" is not an http(s) URL`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    intake: {
      fieldFormUtcOffset: e.FIELD_FORM_UTC_OFFSET,
      ...(e.FIELD_MAPPING_FILE ? { fieldMappingFile: path.resolve(e.FIELD_MAPPING_FILE) } : {}),
      aisFragmentWindowMs: e.AIS_FRAGMENT_WINDOW_SEC * 1000,
      aisDuplicateWindowMs: e.AIS_DUPLICATE_WINDOW_SEC * 1000,
      inputQuietMs: e.HTTP_INPUT_QUIET_MS,
      ...(udpPort !== '' && {
        aisUdp: { host: e.HOST, port: Number(udpPort), stations: e.AIS_UDP_STATIONS },
      }),
      aisTcp: e.AIS_TCP_SOURCES,
      aisTcpReconnectMaxMs: e.AIS_TCP_RECONNECT_MAX_MS,
      ...(e.SANCTIONS_SOURCES.length > 0 && {
        sanctions: { urls: e.SANCTIONS_SOURCES, everyMs: e.SANCTIONS_FETCH_HOURS * 3_600_000 },
      }),
    },
    http: {
      host: e.HOST,
      corsOrigins: e.CORS_ORIGINS,
      trustProxy: e.TRUST_PROXY,
      rateLimit: { requests: e.RATE_LIMIT_REQUESTS, windowMs: e.RATE_LIMIT_WINDOW_SEC * 1000 },
      authFailures: { perAddress: e.AUTH_FAILURES_PER_ADDRESS, windowMs: e.AUTH_FAILURE_WINDOW_SEC * 1000 },
      sse: {
        maxBufferedBytes: e.SSE_MAX_BUFFERED_BYTES,
        historyPageSize: e.SSE_HISTORY_PAGE,
        streamsPerTenant: e.SSE_STREAMS_PER_TENANT,
      },
    },
    access: {
      committeeSources: e.COMMITTEE_SOURCES.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      keyStorePath: e.ACCESS_KEYS_FILE
        ? path.resolve(e.ACCESS_KEYS_FILE)
        : e.EVENT_STORE === 'memory'
          ? ':memory:'
          : path.join(dataDir, 'access.sqlite'),
      jwt:
        e.AUTH_JWKS_URL || e.AUTH_JWKS_FILE
          ? {
              ...(e.AUTH_JWKS_URL ? { jwksUrl: e.AUTH_JWKS_URL } : {}),
              ...(e.AUTH_JWKS_FILE ? { jwksFile: path.resolve(e.AUTH_JWKS_FILE) } : {}),
              issuer: e.AUTH_JWT_ISSUER,
              audience: e.AUTH_JWT_AUDIENCE,
              ...(e.AUTH_JWT_ALLOW_ADMIN ? { allowAdmin: true } : {}),
              ...(e.AUTH_JWT_ALLOW_OPERATOR ? { allowOperator: true } : {}),
              ...(e.AUTH_JWT_ALLOW_TENANTLESS_PRODUCER ? { allowTenantlessProducers: true } : {}),
              maxLifetimeSec: e.AUTH_JWT_MAX_LIFETIME_SECONDS,
            }
          : undefined,
    },
    limits: {
      bodyBytes: e.LIMIT_BODY_BYTES,
      batchEvents: e.LIMIT_BATCH_EVENTS,
      jsonDepth: e.LIMIT_JSON_DEPTH,
      identifierLength: e.LIMIT_IDENTIFIER_LENGTH,
      textLength: e.LIMIT_TEXT_LENGTH,
      errorDetails: e.LIMIT_ERROR_DETAILS,
      responseBytes: e.LIMIT_RESPONSE_BYTES,
      silencesPerTenant: e.LIMIT_SILENCES_PER_TENANT,
      subscriptionsPerTenant: e.LIMIT_SUBSCRIPTIONS_PER_TENANT,
      tenantEvents: {
        perWindow: e.LIMIT_TENANT_EVENTS,
        windowMs: e.LIMIT_TENANT_EVENTS_WINDOW_SEC * 1000,
        itemLinesPerWindow: e.LIMIT_TENANT_ITEM_LINES,
        flags: e.LIMIT_TENANT_FLAGS,
        storedEvents: e.LIMIT_TENANT_STORED_EVENTS,
        consignmentsPerVessel: e.LIMIT_TENANT_CONSIGNMENTS_PER_VESSEL,
        alertActions: e.LIMIT_TENANT_ALERT_ACTIONS,
        eventBytes: e.LIMIT_TENANT_EVENT_BYTES,
      },
      maxFutureSkewSec: e.MAX_FUTURE_SKEW,
    },
    logLevel: e.LOG_LEVEL as AppConfig['logLevel'],
    logPretty: e.LOG_PRETTY,
    eventStore:
      e.EVENT_STORE === 'kurrentdb'
        ? { kind: 'kurrentdb', connectionString: e.KURRENTDB_CONNECTION_STRING }
        : e.EVENT_STORE === 'postgres'
          ? { kind: 'postgres', connectionString: e.DATABASE_URL }
          : e.EVENT_STORE === 'memory'
            ? { kind: 'memory' }
            : {
                kind: 'embedded',
                path: path.join(dataDir, 'events.sqlite'),
                writer: e.EMBEDDED_WRITER as 'worker' | 'inline',
              },
    checkpointPath: e.EVENT_STORE === 'memory' ? ':memory:' : path.join(dataDir, 'projections.sqlite'),
    subjectKeysPath:
      e.SUBJECT_KEYS_PATH ||
      (e.EVENT_STORE === 'memory' ? ':memory:' : path.join(dataDir, 'subject-keys.sqlite')),
    kafka:
      e.KAFKA_BROKERS.length > 0
        ? { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, groupId: e.KAFKA_GROUP_ID }
        : undefined,
    kafkaIntake: {
      commitIntervalMs: e.KAFKA_COMMIT_INTERVAL_MS,
      partitionsConsumedConcurrently: e.KAFKA_PARTITIONS_CONCURRENTLY,
      alignment:
        e.KAFKA_ALIGNMENT_MAX_DRIFT_MS > 0
          ? { maxDriftMs: e.KAFKA_ALIGNMENT_MAX_DRIFT_MS, idleAfterMs: e.KAFKA_ALIGNMENT_IDLE_MS }
          : undefined,
      sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: e.KAFKA_HEARTBEAT_INTERVAL_MS,
      unreachableAfterMs: e.KAFKA_UNREACHABLE_AFTER_MS,
      caughtUp:
        e.KAFKA_CAUGHT_UP_QUIET_MS > 0
          ? { quietMs: e.KAFKA_CAUGHT_UP_QUIET_MS, maxIntervalMs: e.KAFKA_CAUGHT_UP_MAX_INTERVAL_MS }
          : undefined,
    },
    demo: e.DEMO,
    checkpointEveryEvents: e.CHECKPOINT_EVERY_EVENTS,
    checkpointEveryMs: e.CHECKPOINT_EVERY_MS,
    webhooks: {
      path: e.EVENT_STORE === 'memory' ? ':memory:' : path.join(dataDir, 'webhooks.sqlite'),
      maxAttempts: Math.round(e.WEBHOOK_MAX_ATTEMPTS),
      baseDelayMs: e.WEBHOOK_BASE_DELAY_MS,
      maxDelayMs: e.WEBHOOK_MAX_DELAY_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      allowPrivateTargets: e.WEBHOOK_PRIVATE_TARGETS,
    },
    auditCheckpointEveryMs: e.AUDIT_CHECKPOINT_EVERY_MS,
    detectorLeaseTtlMs: e.DETECTOR_LEASE_TTL_MS,
    detection,
    retention: {
      aisDays: e.AIS_RETENTION_DAYS,
      archiveDir: e.AIS_ARCHIVE_DIR ? path.resolve(e.AIS_ARCHIVE_DIR) : path.join(dataDir, 'archive'),
    },
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
