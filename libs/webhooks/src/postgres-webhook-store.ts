import { createPool, migrate, withReconnect, type Migration } from '@aidwatch/event-store';
import type { AlertFilter } from '@aidwatch/alerts';
import type { Pool, PoolClient } from 'pg';
import type {
  Claim,
  DeliveryAttempt,
  DeliveryStatus,
  NewDelivery,
  WebhookDelivery,
  WebhookStore,
  WebhookSubscription,
} from './webhook-store.port';
import { subscriptionColumns } from './webhook-store.port';

export const WEBHOOK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'webhook subscriptions, deliveries with claims, attempts',
    sql: `
      CREATE TABLE aidwatch_webhook_subscriptions (
        id         text PRIMARY KEY,
        url        text NOT NULL,
        secret     text NOT NULL,
        filters    text NOT NULL,
        tenant     text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        deleted_at timestamptz
      );
      CREATE TABLE aidwatch_webhook_deliveries (
        seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id              text NOT NULL UNIQUE,
        subscription_id text NOT NULL,
        event_id        text NOT NULL,
        event_type      text NOT NULL,
        payload         text NOT NULL,
        status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error      text,
        created_at      timestamptz NOT NULL,
        delivered_at    timestamptz,
        claimed_by      text,
        claimed_until   timestamptz,
        UNIQUE (subscription_id, event_id)
      );
      CREATE INDEX aidwatch_webhook_deliveries_due
        ON aidwatch_webhook_deliveries (subscription_id, status, next_attempt_at);
      CREATE TABLE aidwatch_webhook_attempts (
        delivery_id text NOT NULL,
        attempt     integer NOT NULL,
        at          timestamptz NOT NULL,
        status_code integer,
        error       text,
        duration_ms integer NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      );`,
  },
  {
    version: 2,
    name: 'index of live claims (a claim reads them without walking every pending delivery)',
    sql: `
      CREATE INDEX aidwatch_webhook_deliveries_claimed
        ON aidwatch_webhook_deliveries (subscription_id, claimed_until)
        WHERE status = 'pending' AND claimed_by IS NOT NULL;`,
  },
];

export interface PostgresWebhookStoreOptions {
  /** libpq connection URI (DATABASE_URL). */
  connectionString: string;
  maxConnections?: number;
}

/**
 * The webhook outbox in PostgreSQL (tables `aidwatch_webhook_*`, migrations of component `webhooks`), shared
 * by every API replica. Claims are timed by the database server's clock (`clock_timestamp()`), so the
 * machines' clocks do not matter for them. A claim is taken in one short transaction that first locks the
 * subscription's row (`FOR UPDATE`): claims of one subscription are serialised, so two replicas never hold
 * claims on two of its deliveries at once; no transaction stays open while a delivery is sent (an open
 * transaction would hold back event delivery — docs/postgres-store.md). A lost connection is retried for
 * up to 30 s.
 */
export class PostgresWebhookStore implements WebhookStore {
  private readonly pool: Pool;
  private readonly ready: Promise<void>;

  constructor(options: PostgresWebhookStoreOptions) {
    this.pool = createPool({
      connectionString: options.connectionString,
      applicationName: 'aidwatch-webhooks',
      maxConnections: options.maxConnections ?? 3,
    });
    this.ready = withReconnect(() =>
      migrate(this.pool, 'webhooks', WEBHOOK_MIGRATIONS).then(() => undefined),
    );
    this.ready.catch(() => undefined);
  }

  async addSubscription(s: WebhookSubscription): Promise<void> {
    await this.query(
      `INSERT INTO aidwatch_webhook_subscriptions (id, url, secret, filters, tenant, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      subscriptionColumns(s),
    );
  }

  async deleteSubscription(id: string, at: string): Promise<void> {
    await this.query(
      'UPDATE aidwatch_webhook_subscriptions SET deleted_at = coalesce(deleted_at, $2::timestamptz) WHERE id = $1',
      [id, at],
    );
  }

  async subscriptions(): Promise<WebhookSubscription[]> {
    const { rows } = await this.query<SubscriptionRow>(
      'SELECT * FROM aidwatch_webhook_subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id',
    );
    return rows.map(subscriptionOf);
  }

  async subscription(id: string): Promise<WebhookSubscription | undefined> {
    const { rows } = await this.query<SubscriptionRow>(
      'SELECT * FROM aidwatch_webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL',
      [id],
    );
    return rows[0] && subscriptionOf(rows[0]);
  }

  async enqueue(d: NewDelivery): Promise<boolean> {
    const [added] = await this.enqueueMany([d]);
    return added;
  }

  async enqueueMany(deliveries: readonly NewDelivery[]): Promise<boolean[]> {
    if (deliveries.length === 0) return [];
    // One statement: rows are inserted in the order given (their seq too); those a conflict skipped are absent
    // from RETURNING.
    const params: unknown[] = [];
    const rows = deliveries.map((d) => {
      const n = params.length;
      params.push(d.deliveryId, d.subscriptionId, d.eventId, d.eventType, d.payload, d.createdAt);
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, 'pending', $${n + 6}, $${n + 6})`;
    });
    const { rows: added } = await this.query<{ id: string }>(
      `INSERT INTO aidwatch_webhook_deliveries
         (id, subscription_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES ${rows.join(', ')}
       ON CONFLICT DO NOTHING
       RETURNING id`,
      params,
    );
    const ids = new Set(added.map((r) => r.id));
    return deliveries.map((d) => ids.has(d.deliveryId));
  }

  async countsByStatus(): Promise<Partial<Record<DeliveryStatus, number>>> {
    const { rows } = await this.query<{ status: DeliveryStatus; n: string }>(
      'SELECT status, count(*) AS n FROM aidwatch_webhook_deliveries GROUP BY status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async claimNext(subscriptionId: string, now: string, claimant: string, claimMs: number): Promise<Claim> {
    return this.transaction(async (client) => {
      const live = await client.query(
        'SELECT 1 FROM aidwatch_webhook_subscriptions WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
        [subscriptionId],
      );
      if (live.rowCount === 0) return {};
      const held = await client.query<{ until: Date }>(
        `SELECT claimed_until AS until FROM aidwatch_webhook_deliveries
         WHERE subscription_id = $1 AND status = 'pending' AND claimed_by IS NOT NULL AND claimed_by <> $2
           AND claimed_until > clock_timestamp()
         ORDER BY claimed_until LIMIT 1`,
        [subscriptionId, claimant],
      );
      if (held.rows[0]) return { nextAt: held.rows[0].until.toISOString() };
      const due = await client.query<DeliveryRow & { previous: string | null }>(
        `UPDATE aidwatch_webhook_deliveries d
         SET claimed_by = $3, claimed_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
         FROM (
           SELECT id, claimed_by AS previous FROM aidwatch_webhook_deliveries
           WHERE subscription_id = $1 AND status = 'pending' AND next_attempt_at <= $2::timestamptz
           ORDER BY next_attempt_at, seq LIMIT 1) p
         WHERE d.id = p.id
         RETURNING d.*, p.previous`,
        [subscriptionId, now, claimant, claimMs],
      );
      const row = due.rows[0];
      if (row)
        return {
          due: deliveryOf(row),
          ...(row.previous !== null && row.previous !== claimant && { expiredClaimOf: row.previous }),
        };
      const next = await client.query<{ at: Date | null }>(
        `SELECT min(next_attempt_at) AS at FROM aidwatch_webhook_deliveries
         WHERE subscription_id = $1 AND status = 'pending'`,
        [subscriptionId],
      );
      return next.rows[0].at ? { nextAt: next.rows[0].at.toISOString() } : {};
    });
  }

  async recordAttempt(
    deliveryId: string,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt?: string },
    claimant: string,
  ): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE aidwatch_webhook_deliveries
         SET status = $2, attempts = $3, last_error = $4,
             next_attempt_at = coalesce($5::timestamptz, next_attempt_at),
             delivered_at = CASE WHEN $2 = 'delivered' THEN $6::timestamptz ELSE delivered_at END,
             claimed_by = NULL, claimed_until = NULL
         WHERE id = $1 AND claimed_by = $7`,
        [
          deliveryId,
          outcome.status,
          attempt.attempt,
          attempt.error,
          outcome.nextAttemptAt ?? null,
          attempt.at,
          claimant,
        ],
      );
      if ((rowCount ?? 0) === 0) return false;
      await client.query(
        `INSERT INTO aidwatch_webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [
          deliveryId,
          attempt.attempt,
          attempt.at,
          attempt.statusCode,
          attempt.error,
          Math.round(attempt.durationMs),
        ],
      );
      return true;
    });
  }

  async deliveries(subscriptionId: string, status?: DeliveryStatus, limit = 100): Promise<WebhookDelivery[]> {
    const { rows } = await this.query<DeliveryRow>(
      `SELECT * FROM aidwatch_webhook_deliveries
       WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY seq LIMIT $3`,
      [subscriptionId, status ?? null, limit],
    );
    return rows.map(deliveryOf);
  }

  async delivery(deliveryId: string): Promise<WebhookDelivery | undefined> {
    const { rows } = await this.query<DeliveryRow>(
      'SELECT * FROM aidwatch_webhook_deliveries WHERE id = $1',
      [deliveryId],
    );
    return rows[0] && deliveryOf(rows[0]);
  }

  async attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    const { rows } = await this.query<{
      attempt: number;
      at: Date;
      status_code: number | null;
      error: string | null;
      duration_ms: number;
    }>('SELECT * FROM aidwatch_webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [deliveryId]);
    return rows.map((r) => ({
      attempt: r.attempt,
      at: r.at.toISOString(),
      statusCode: r.status_code,
      error: r.error,
      durationMs: r.duration_ms,
    }));
  }

  async replay(subscriptionId: string, now: string, deliveryIds?: string[]): Promise<number> {
    const { rowCount } = await this.query(
      `UPDATE aidwatch_webhook_deliveries
       SET status = 'pending', next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL
       WHERE subscription_id = $1 AND status = 'dead' AND ($3::text[] IS NULL OR id = ANY($3::text[]))`,
      [subscriptionId, now, deliveryIds ?? null],
    );
    return rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  private async query<R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []) {
    await this.ready;
    return withReconnect(() => this.pool.query<R>(sql, params));
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.ready;
    return withReconnect(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = error as Error;
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }
}

interface SubscriptionRow {
  id: string;
  url: string;
  secret: string;
  filters: string;
  tenant: string | null;
  created_by: string;
  created_at: Date;
}
interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  claimed_by: string | null;
  claimed_until: Date | null;
}

const subscriptionOf = (r: SubscriptionRow): WebhookSubscription => ({
  subscriptionId: r.id,
  url: r.url,
  secret: r.secret,
  filters: JSON.parse(r.filters) as AlertFilter,
  ...(r.tenant !== null ? { tenant: r.tenant } : {}),
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

const deliveryOf = (r: DeliveryRow): WebhookDelivery => ({
  deliveryId: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  eventType: r.event_type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at.toISOString(),
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  deliveredAt: r.delivered_at ? r.delivered_at.toISOString() : null,
  claimedBy: r.claimed_by,
  claimedUntil: r.claimed_until ? r.claimed_until.toISOString() : null,
});
