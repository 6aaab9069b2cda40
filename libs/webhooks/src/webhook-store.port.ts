import type { AlertFilter } from '@aidwatch/alerts';

export interface WebhookSubscription {
  subscriptionId: string;
  url: string;
  /** `whsec_<base64>` (Standard Webhooks); never returned by the API after creation. */
  secret: string;
  filters: AlertFilter;
  tenant?: string;
  createdBy: string;
  /** ISO 8601 UTC; events recorded before it are not delivered. */
  createdAt: string;
}

/** A subscription's column values in the adapters' order: id, url, secret, filters (JSON), tenant, created_by, created_at. */
export function subscriptionColumns(s: WebhookSubscription): unknown[] {
  return [
    s.subscriptionId,
    s.url,
    s.secret,
    JSON.stringify(s.filters),
    s.tenant ?? null,
    s.createdBy,
    s.createdAt,
  ];
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDelivery {
  /** `msg_…`, derived from subscription and event: the same for every replica and every retry. */
  deliveryId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** The CloudEvent as sent (JSON text). */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  /** ISO 8601 UTC. */
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /**
   * The process holding a claim on this delivery (its `claimant`: an API process sending it now, or one that
   * died while sending until `claimedUntil` passes); null when no process has claimed it.
   */
  claimedBy: string | null;
  /** ISO 8601 UTC: when that claim expires and another process may send the delivery; null without a claim. */
  claimedUntil: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export type NewDelivery = Pick<
  WebhookDelivery,
  'deliveryId' | 'subscriptionId' | 'eventId' | 'eventType' | 'payload' | 'createdAt'
>;

/** What `claimNext` found: a delivery now claimed by the caller, or when to look again (none: nothing pending). */
export interface Claim {
  due?: WebhookDelivery;
  nextAt?: string;
  /** Set when `due` was claimed by another claimant whose claim had expired (it died or stalled): that claimant. */
  expiredClaimOf?: string;
}

/**
 * The webhook outbox: subscriptions, deliveries and every attempt. Adapters: a SQLite file
 * (`SqliteWebhookStore`, `DATA_DIR/webhooks.sqlite`) and PostgreSQL (`PostgresWebhookStore`,
 * `EVENT_STORE=postgres`), both passing the contract suite in `@aidwatch/webhooks/testing`.
 *
 * Several API processes may share one store. Every one enqueues (a delivery is keyed by subscription and
 * event, so the second enqueue is a no-op) and every one sends, but only what it has claimed: a claim names
 * the claimant and expires (`claimMs`, by the store's clock), at most one delivery of a subscription is
 * claimed at a time (so a subscription's deliveries go out one after another, oldest first, whichever
 * process sends them), and an attempt is recorded only while the claim is still the caller's. A process
 * that dies holding a claim delays that subscription until the claim expires; the delivery is then sent
 * again by another (at least once, with the same `webhook-id`, which receivers use to de-duplicate).
 */
export interface WebhookStore {
  addSubscription(s: WebhookSubscription): Promise<void>;
  /** Marks a subscription deleted (its history stays); it gets no further deliveries. */
  deleteSubscription(id: string, at: string): Promise<void>;
  /** Subscriptions not deleted, oldest first. */
  subscriptions(): Promise<WebhookSubscription[]>;
  subscription(id: string): Promise<WebhookSubscription | undefined>;
  /** Adds a delivery unless this subscription already has one for the event (replays and replicas enqueue nothing twice). */
  enqueue(d: NewDelivery): Promise<boolean>;
  /**
   * Adds the deliveries of one event (one per subscription) in one transaction, in order, each unless its
   * subscription already has one for the event; answers, per delivery, whether it was added.
   */
  enqueueMany(deliveries: readonly NewDelivery[]): Promise<boolean[]>;
  /** How many deliveries of every subscription are in each status (for the deliveries gauge). */
  countsByStatus(): Promise<Partial<Record<DeliveryStatus, number>>>;
  /**
   * Claims the oldest pending delivery of a subscription due at `now` (ISO 8601) for `claimant`, for
   * `claimMs`. Nothing is claimed while another claimant holds an unexpired claim on a delivery of this
   * subscription (`nextAt` is then that claim's expiry), when nothing is due (`nextAt`: when the next is),
   * or when the subscription is deleted or unknown (`{}`).
   */
  claimNext(subscriptionId: string, now: string, claimant: string, claimMs: number): Promise<Claim>;
  /**
   * Records an attempt and its outcome and releases the claim, if `claimant` still holds it; false (nothing
   * recorded) when the claim expired and was taken by another.
   */
  recordAttempt(
    deliveryId: string,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt?: string },
    claimant: string,
  ): Promise<boolean>;
  /** Deliveries of a subscription, oldest first. */
  deliveries(subscriptionId: string, status?: DeliveryStatus, limit?: number): Promise<WebhookDelivery[]>;
  delivery(deliveryId: string): Promise<WebhookDelivery | undefined>;
  attempts(deliveryId: string): Promise<DeliveryAttempt[]>;
  /** Puts dead deliveries (all of the subscription's, or the listed ones) back in the queue, due at `now`. */
  replay(subscriptionId: string, now: string, deliveryIds?: string[]): Promise<number>;
  close(): Promise<void>;
}
