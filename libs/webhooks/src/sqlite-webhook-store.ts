import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AlertFilter } from '@aidwatch/alerts';
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

/**
 * The webhook outbox in a SQLite file beside the embedded event store (`DATA_DIR/webhooks.sqlite`), so
 * pending deliveries survive a restart. Claims are timed by this process's clock; processes on one machine
 * sharing the file serialise their claims in a write transaction.
 */
export class SqliteWebhookStore implements WebhookStore {
  private readonly db: Database.Database;
  /** Statements by their text, each prepared once (preparing one costs about as much as running it). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    file: string,
    private readonly clock: () => number = Date.now,
  ) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS subscriptions (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, filters TEXT NOT NULL, tenant TEXT,
        created_by TEXT NOT NULL, created_at TEXT NOT NULL, deleted_at TEXT);
      CREATE TABLE IF NOT EXISTS deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, subscription_id TEXT NOT NULL,
        event_id TEXT NOT NULL, event_type TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
        created_at TEXT NOT NULL, delivered_at TEXT, UNIQUE (subscription_id, event_id));
      CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (subscription_id, status, next_attempt_at);
      CREATE TABLE IF NOT EXISTS attempts (
        delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL, status_code INTEGER,
        error TEXT, duration_ms INTEGER NOT NULL, PRIMARY KEY (delivery_id, attempt));`);
    // Files written before claims existed.
    const columns = (this.db.prepare('PRAGMA table_info(deliveries)').all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    if (!columns.includes('claimed_by'))
      this.db.exec(
        'ALTER TABLE deliveries ADD COLUMN claimed_by TEXT; ALTER TABLE deliveries ADD COLUMN claimed_until TEXT;',
      );
    // A claim looks for another process's live claim on the subscription: without this index that read walks
    // every pending delivery of the subscription (thousands, behind a receiver that is down).
    this.db.exec(`CREATE INDEX IF NOT EXISTS deliveries_claimed ON deliveries (subscription_id, claimed_until)
      WHERE status = 'pending' AND claimed_by IS NOT NULL`);
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async addSubscription(s: WebhookSubscription): Promise<void> {
    this.prepare(
      'INSERT INTO subscriptions (id, url, secret, filters, tenant, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(...subscriptionColumns(s));
  }

  async deleteSubscription(id: string, at: string): Promise<void> {
    this.prepare('UPDATE subscriptions SET deleted_at = COALESCE(deleted_at, ?) WHERE id = ?').run(at, id);
  }

  async subscriptions(): Promise<WebhookSubscription[]> {
    return (
      this.prepare(
        'SELECT * FROM subscriptions WHERE deleted_at IS NULL ORDER BY created_at, id',
      ).all() as SubscriptionRow[]
    ).map(subscriptionOf);
  }

  async subscription(id: string): Promise<WebhookSubscription | undefined> {
    const row = this.prepare('SELECT * FROM subscriptions WHERE id = ? AND deleted_at IS NULL').get(id) as
      SubscriptionRow | undefined;
    return row && subscriptionOf(row);
  }

  async enqueue(d: NewDelivery): Promise<boolean> {
    const [added] = await this.enqueueMany([d]);
    return added;
  }

  async enqueueMany(deliveries: readonly NewDelivery[]): Promise<boolean[]> {
    const insert = this.prepare(
      `INSERT OR IGNORE INTO deliveries (id, subscription_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    return this.db.transaction(() =>
      deliveries.map(
        (d) =>
          insert.run(
            d.deliveryId,
            d.subscriptionId,
            d.eventId,
            d.eventType,
            d.payload,
            d.createdAt,
            d.createdAt,
          ).changes > 0,
      ),
    )();
  }

  async countsByStatus(): Promise<Partial<Record<DeliveryStatus, number>>> {
    const rows = this.prepare('SELECT status, count(*) AS n FROM deliveries GROUP BY status').all() as Array<{
      status: DeliveryStatus;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  async claimNext(subscriptionId: string, now: string, claimant: string, claimMs: number): Promise<Claim> {
    return this.db
      .transaction((): Claim => {
        const live = this.prepare('SELECT 1 FROM subscriptions WHERE id = ? AND deleted_at IS NULL').get(
          subscriptionId,
        );
        if (!live) return {};
        const clock = new Date(this.clock()).toISOString();
        const held = this.prepare(
          `SELECT claimed_until AS until FROM deliveries WHERE subscription_id = ? AND status = 'pending'
             AND claimed_by IS NOT NULL AND claimed_by <> ? AND claimed_until > ? ORDER BY claimed_until LIMIT 1`,
        ).get(subscriptionId, claimant, clock) as { until: string } | undefined;
        if (held) return { nextAt: held.until };
        const due = this.prepare(
          `SELECT * FROM deliveries WHERE subscription_id = ? AND status = 'pending' AND next_attempt_at <= ?
             ORDER BY next_attempt_at, seq LIMIT 1`,
        ).get(subscriptionId, now) as DeliveryRow | undefined;
        if (due) {
          const until = new Date(this.clock() + claimMs).toISOString();
          this.prepare('UPDATE deliveries SET claimed_by = ?, claimed_until = ? WHERE id = ?').run(
            claimant,
            until,
            due.id,
          );
          return {
            due: deliveryOf({ ...due, claimed_by: claimant, claimed_until: until }),
            ...(due.claimed_by !== null && due.claimed_by !== claimant && { expiredClaimOf: due.claimed_by }),
          };
        }
        const next = this.prepare(
          `SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE subscription_id = ? AND status = 'pending'`,
        ).get(subscriptionId) as { at: string | null };
        return next.at ? { nextAt: next.at } : {};
      })
      .immediate();
  }

  async recordAttempt(
    deliveryId: string,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt?: string },
    claimant: string,
  ): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const updated = this.prepare(
          `UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at),
             delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END, claimed_by = NULL, claimed_until = NULL
             WHERE id = ? AND claimed_by = ?`,
        ).run(
          outcome.status,
          attempt.attempt,
          attempt.error,
          outcome.nextAttemptAt ?? null,
          outcome.status,
          attempt.at,
          deliveryId,
          claimant,
        );
        if (updated.changes === 0) return false;
        this.prepare(
          'INSERT OR IGNORE INTO attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(deliveryId, attempt.attempt, attempt.at, attempt.statusCode, attempt.error, attempt.durationMs);
        return true;
      })
      .immediate();
  }

  async deliveries(subscriptionId: string, status?: DeliveryStatus, limit = 100): Promise<WebhookDelivery[]> {
    const rows = status
      ? this.prepare(
          'SELECT * FROM deliveries WHERE subscription_id = ? AND status = ? ORDER BY seq LIMIT ?',
        ).all(subscriptionId, status, limit)
      : this.prepare('SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY seq LIMIT ?').all(
          subscriptionId,
          limit,
        );
    return (rows as DeliveryRow[]).map(deliveryOf);
  }

  async delivery(deliveryId: string): Promise<WebhookDelivery | undefined> {
    const row = this.prepare('SELECT * FROM deliveries WHERE id = ?').get(deliveryId) as
      DeliveryRow | undefined;
    return row && deliveryOf(row);
  }

  async attempts(deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.prepare(
      'SELECT attempt, at, status_code AS statusCode, error, duration_ms AS durationMs FROM attempts WHERE delivery_id = ? ORDER BY attempt',
    ).all(deliveryId) as DeliveryAttempt[];
  }

  async replay(subscriptionId: string, now: string, deliveryIds?: string[]): Promise<number> {
    const requeue = `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL
      WHERE subscription_id = ? AND status = 'dead'`;
    if (deliveryIds)
      return deliveryIds.reduce(
        (n, id) => n + this.prepare(`${requeue} AND id = ?`).run(now, subscriptionId, id).changes,
        0,
      );
    return this.prepare(requeue).run(now, subscriptionId).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface SubscriptionRow {
  id: string;
  url: string;
  secret: string;
  filters: string;
  tenant: string | null;
  created_by: string;
  created_at: string;
}
interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
}

const subscriptionOf = (r: SubscriptionRow): WebhookSubscription => ({
  subscriptionId: r.id,
  url: r.url,
  secret: r.secret,
  filters: JSON.parse(r.filters) as AlertFilter,
  ...(r.tenant !== null ? { tenant: r.tenant } : {}),
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const deliveryOf = (r: DeliveryRow): WebhookDelivery => ({
  deliveryId: r.id,
  subscriptionId: r.subscription_id,
  eventId: r.event_id,
  eventType: r.event_type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
  claimedBy: r.claimed_by,
  claimedUntil: r.claimed_until,
});
