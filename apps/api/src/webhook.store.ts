import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AlertFilter } from '@aidwatch/alerts';

export interface WebhookSubscription {
  subscriptionId: string;
  url: string;
  /** `whsec_<base64>` (Standard Webhooks); never returned by the API after creation. */
  secret: string;
  filters: AlertFilter;
  tenant?: string;
  createdBy: string;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDelivery {
  deliveryId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** The CloudEvent as sent (JSON text). */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * The webhook outbox: subscriptions, deliveries and every attempt, in a SQLite file beside the event store
 * (DATA_DIR/webhooks.sqlite), so pending deliveries survive a restart.
 */
export class WebhookStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
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
  }

  addSubscription(s: WebhookSubscription): void {
    this.db
      .prepare(
        'INSERT INTO subscriptions (id, url, secret, filters, tenant, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        s.subscriptionId,
        s.url,
        s.secret,
        JSON.stringify(s.filters),
        s.tenant ?? null,
        s.createdBy,
        s.createdAt,
      );
  }

  deleteSubscription(id: string, at: string): void {
    this.db.prepare('UPDATE subscriptions SET deleted_at = ? WHERE id = ?').run(at, id);
  }

  subscriptions(): WebhookSubscription[] {
    return (
      this.db
        .prepare('SELECT * FROM subscriptions WHERE deleted_at IS NULL ORDER BY created_at')
        .all() as SubscriptionRow[]
    ).map(subscriptionOf);
  }

  subscription(id: string): WebhookSubscription | undefined {
    const row = this.db.prepare('SELECT * FROM subscriptions WHERE id = ? AND deleted_at IS NULL').get(id) as
      SubscriptionRow | undefined;
    return row && subscriptionOf(row);
  }

  /** Adds a delivery unless this subscription already has one for the event (replays enqueue nothing twice). */
  enqueue(
    d: Pick<
      WebhookDelivery,
      'deliveryId' | 'subscriptionId' | 'eventId' | 'eventType' | 'payload' | 'createdAt'
    >,
  ): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (id, subscription_id, event_id, event_type, payload, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(d.deliveryId, d.subscriptionId, d.eventId, d.eventType, d.payload, d.createdAt, d.createdAt);
    return result.changes > 0;
  }

  /** How many deliveries of every subscription are in each status (for the deliveries gauge). */
  countsByStatus(): Partial<Record<DeliveryStatus, number>> {
    const rows = this.db
      .prepare('SELECT status, count(*) AS n FROM deliveries GROUP BY status')
      .all() as Array<{
      status: DeliveryStatus;
      n: number;
    }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** The next pending delivery of a subscription due at `now` (oldest first), or the time the next one is due. */
  nextDue(subscriptionId: string, now: string): { due?: WebhookDelivery; nextAt?: string } {
    const due = this.db
      .prepare(
        `SELECT * FROM deliveries WHERE subscription_id = ? AND status = 'pending' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, seq LIMIT 1`,
      )
      .get(subscriptionId, now) as DeliveryRow | undefined;
    if (due) return { due: deliveryOf(due) };
    const next = this.db
      .prepare(
        `SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE subscription_id = ? AND status = 'pending'`,
      )
      .get(subscriptionId) as { at: string | null };
    return { nextAt: next.at ?? undefined };
  }

  recordAttempt(
    deliveryId: string,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt?: string },
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(deliveryId, attempt.attempt, attempt.at, attempt.statusCode, attempt.error, attempt.durationMs);
      this.db
        .prepare(
          `UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at),
           delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`,
        )
        .run(
          outcome.status,
          attempt.attempt,
          attempt.error,
          outcome.nextAttemptAt ?? null,
          outcome.status,
          attempt.at,
          deliveryId,
        );
    })();
  }

  deliveries(subscriptionId: string, status?: DeliveryStatus, limit = 100): WebhookDelivery[] {
    const rows = status
      ? this.db
          .prepare('SELECT * FROM deliveries WHERE subscription_id = ? AND status = ? ORDER BY seq LIMIT ?')
          .all(subscriptionId, status, limit)
      : this.db
          .prepare('SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY seq LIMIT ?')
          .all(subscriptionId, limit);
    return (rows as DeliveryRow[]).map(deliveryOf);
  }

  delivery(deliveryId: string): WebhookDelivery | undefined {
    const row = this.db.prepare('SELECT * FROM deliveries WHERE id = ?').get(deliveryId) as
      DeliveryRow | undefined;
    return row && deliveryOf(row);
  }

  attempts(deliveryId: string): DeliveryAttempt[] {
    return this.db
      .prepare(
        'SELECT attempt, at, status_code AS statusCode, error, duration_ms AS durationMs FROM attempts WHERE delivery_id = ? ORDER BY attempt',
      )
      .all(deliveryId) as DeliveryAttempt[];
  }

  /** Puts dead deliveries (all of the subscription's, or the listed ones) back in the queue, due now. */
  replay(subscriptionId: string, now: string, deliveryIds?: string[]): number {
    if (deliveryIds)
      return deliveryIds.reduce(
        (n, id) =>
          n +
          this.db
            .prepare(
              `UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ? AND subscription_id = ? AND status = 'dead'`,
            )
            .run(now, id, subscriptionId).changes,
        0,
      );
    return this.db
      .prepare(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE subscription_id = ? AND status = 'dead'`,
      )
      .run(now, subscriptionId).changes;
  }

  close(): void {
    this.db.close();
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
}

const subscriptionOf = (r: SubscriptionRow): WebhookSubscription => ({
  subscriptionId: r.id,
  url: r.url,
  secret: r.secret,
  filters: JSON.parse(r.filters) as AlertFilter,
  tenant: r.tenant ?? undefined,
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
});
