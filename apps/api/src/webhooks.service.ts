import { webhookTargetProblem } from './webhook-target';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import {
  ALERT_EVENT_PREFIX,
  filterMatches,
  notifiesRecipient,
  type EventClassification,
  retryDelayMs,
  type AlertFilter,
  type RetryPolicy,
} from '@aidwatch/alerts';
import { publishedForm, publishedTypeOf } from '@aidwatch/domain';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner, type Projection } from '@aidwatch/projections';
import type { ApiKeyStore } from '@aidwatch/access';
import { API_KEY_STORE, APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import { AlertsService } from './alerts.service';
import { consignmentIdsOf, RedactionService, type PublishedEvent } from './redaction.service';
import { WebhookStore, type WebhookDelivery, type WebhookSubscription } from './webhook.store';

/**
 * Turns notifiable alert events into deliveries, one per matching subscription (own checkpoint; the
 * classification comes from the API's alert book, which folds the same store).
 */
class WebhookOutboxProjection implements Projection {
  readonly name = 'webhook-outbox-v2';
  readonly filter = { eventTypePrefixes: ['aidwatch.flag.', ALERT_EVENT_PREFIX] };

  constructor(
    private readonly classify: (eventId: string) => Promise<EventClassification | undefined>,
    private readonly isFolded: (eventId: string) => boolean,
    private readonly store: WebhookStore,
    private readonly subscriptions: () => WebhookSubscription[],
    private readonly enqueued: (subscriptionId: string) => void,
    private readonly creatorRevoked: (createdBy: string) => boolean,
    private readonly redact: RedactionService['event'],
    private readonly labelsFor: RedactionService['labels'],
  ) {}

  async apply(stored: StoredEvent): Promise<void> {
    const c = await this.classify(stored.id);
    // Not folded yet (the book lags): fail, so the runner retries from its checkpoint; nothing is lost.
    if (c === undefined && !this.isFolded(stored.id))
      throw new Error(`alert book has not reached ${stored.id}`);
    if (!c) return;
    for (const s of this.subscriptions()) {
      if (stored.recordedAt < s.createdAt) continue;
      if (!notifiesRecipient(c, s.tenant)) continue;
      if (this.creatorRevoked(s.createdBy)) continue;
      if (s.tenant !== undefined && !c.labels.organisation.includes(s.tenant)) continue;
      if (!filterMatches(s.filters, { ...c, labels: this.labelsFor(c.labels, s.tenant) })) continue;
      const added = this.store.enqueue({
        deliveryId: `msg_${createHash('sha256').update(`${s.subscriptionId}|${stored.id}`).digest('hex').slice(0, 26)}`,
        subscriptionId: s.subscriptionId,
        eventId: stored.id,
        eventType: publishedTypeOf(stored.type),
        payload: JSON.stringify(
          this.redact(publishedForm(stored.data as PublishedEvent), consignmentIdsOf(stored), s.tenant),
        ),
        createdAt: stored.recordedAt,
      });
      if (added) this.enqueued(s.subscriptionId);
    }
  }
  snapshot(): unknown {
    return {};
  }
  restore(): void {}
  reset(): void {}
}

/**
 * Whether a subscription's creator is an API key that has since been revoked: its subscriptions then
 * stop receiving new deliveries. A subscription made with an identity-provider token belongs to the
 * token's organisation and stays until deleted (a token cannot be revoked here, only expire).
 */
function revokedKey(keys: ApiKeyStore, createdBy: string): boolean {
  if (!createdBy.startsWith('key:')) return false;
  return keys.find(createdBy.slice('key:'.length))?.revokedAt !== undefined;
}

/**
 * Signed webhook deliveries (Standard Webhooks: `webhook-id` = the delivery id, stable across retries,
 * `webhook-timestamp`, `webhook-signature`), one sequential sender per subscription so a slow or failing
 * receiver only ever delays itself; retries with exponential backoff and jitter; dead after
 * WEBHOOK_MAX_ATTEMPTS, replayable.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store: WebhookStore;
  private readonly runner: ProjectionRunner;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  /** Whether webhooks may target loopback, private and link-local addresses (`WEBHOOK_PRIVATE_TARGETS`). */
  readonly allowPrivateTargets: boolean;
  private active: WebhookSubscription[] = [];
  private readonly senders = new Map<string, Sender>();
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_STORE) eventStore: EventStore,
    checkpoints: CheckpointStore,
    health: HealthRegistry,
    alerts: AlertsService,
    @Inject(API_KEY_STORE) keys: ApiKeyStore,
    redaction: RedactionService,
    private readonly metrics: AidwatchMetrics,
  ) {
    this.store = new WebhookStore(config.webhooks.path);
    metrics.watchWebhookDeliveries(() => this.store.countsByStatus());
    this.policy = config.webhooks;
    this.timeoutMs = config.webhooks.timeoutMs;
    this.allowPrivateTargets = config.webhooks.allowPrivateTargets;
    this.active = this.store.subscriptions();
    this.runner = new ProjectionRunner(
      eventStore,
      checkpoints,
      new WebhookOutboxProjection(
        (id) => alerts.projection.classificationOf(id, 30_000),
        (id) => alerts.projection.folded(id),
        this.store,
        () => this.active,
        (id) => this.kick(id),
        (createdBy) => revokedKey(keys, createdBy),
        (published, consignmentIds, tenant) => redaction.event(published, consignmentIds, tenant),
        (labels, tenant) => redaction.labels(labels, tenant),
      ),
      {
        checkpointEveryEvents: config.checkpointEveryEvents,
        checkpointEveryMs: config.checkpointEveryMs,
        restartAfterMs: 1000,
        onError: (error) => logger.error({ err: error }, 'webhook outbox stopped'),
      },
    );
    health.register('webhooks', () => ({
      ok: this.runner.status().running,
      detail: { subscriptions: this.active.length },
    }));
  }

  onApplicationBootstrap(): void {
    this.runner.start();
    for (const s of this.active) this.kick(s.subscriptionId);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.runner.stop();
    await Promise.all([...this.senders.values()].map((s) => s.stop()));
    this.store.close();
  }

  subscribe(input: {
    url: string;
    secret?: string;
    filters: AlertFilter;
    tenant?: string;
    createdBy: string;
  }): WebhookSubscription {
    const subscription: WebhookSubscription = {
      subscriptionId: randomUUID(),
      url: input.url,
      secret: input.secret ?? `whsec_${randomBytes(24).toString('base64')}`,
      filters: input.filters,
      tenant: input.tenant,
      createdBy: input.createdBy,
      createdAt: new Date().toISOString(),
    };
    this.store.addSubscription(subscription);
    this.active = this.store.subscriptions();
    return subscription;
  }

  unsubscribe(subscriptionId: string): void {
    this.store.deleteSubscription(subscriptionId, new Date().toISOString());
    this.active = this.store.subscriptions();
    void this.senders.get(subscriptionId)?.stop();
    this.senders.delete(subscriptionId);
  }

  replay(subscriptionId: string, deliveryIds?: string[]): number {
    const n = this.store.replay(subscriptionId, new Date().toISOString(), deliveryIds);
    if (n > 0) this.kick(subscriptionId);
    return n;
  }

  private kick(subscriptionId: string): void {
    if (this.stopped) return;
    let sender = this.senders.get(subscriptionId);
    if (!sender) {
      sender = new Sender(subscriptionId, (id) => this.sendOne(id), this.store, this.logger);
      this.senders.set(subscriptionId, sender);
    }
    sender.wake();
  }

  /** One attempt at one delivery: sign, POST, record the outcome and schedule a retry or mark it dead. */
  private async sendOne(d: WebhookDelivery): Promise<void> {
    const subscription = this.store.subscription(d.subscriptionId);
    if (!subscription) return;
    const attempt = d.attempts + 1;
    const started = Date.now();
    const at = new Date(started);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const refused = await webhookTargetProblem(subscription.url, this.allowPrivateTargets);
      if (refused) throw new Error(`target refused: ${refused}`);
      const signature = new Webhook(subscription.secret).sign(d.deliveryId, at, d.payload);
      const res = await fetch(subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': d.deliveryId,
          'webhook-timestamp': String(Math.floor(started / 1000)),
          'webhook-signature': signature,
          'user-agent': 'AidWatch-Webhooks/1',
        },
        body: d.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error =
        (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
    }
    const record = { attempt, at: at.toISOString(), statusCode, error, durationMs: Date.now() - started };
    if (!error) {
      this.store.recordAttempt(d.deliveryId, record, { status: 'delivered' });
      this.metrics.webhookAttempts.inc({ outcome: 'delivered' });
      return;
    }
    const delay = retryDelayMs(this.policy, attempt, Math.random());
    this.metrics.webhookAttempts.inc({ outcome: delay === undefined ? 'dead' : 'retry' });
    if (delay === undefined) {
      this.store.recordAttempt(d.deliveryId, record, { status: 'dead' });
      this.logger.warn(
        { deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, error },
        'webhook delivery dead',
      );
    } else {
      this.store.recordAttempt(d.deliveryId, record, {
        status: 'pending',
        nextAttemptAt: new Date(Date.now() + delay).toISOString(),
      });
    }
  }
}

/** Sends one subscription's due deliveries one at a time; sleeps until the next is due or it is woken. */
class Sender {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private woken = false;
  private stopped = false;

  constructor(
    private readonly subscriptionId: string,
    private readonly send: (d: WebhookDelivery) => Promise<void>,
    private readonly store: WebhookStore,
    private readonly logger: Logger,
  ) {}

  wake(): void {
    if (this.stopped) return;
    this.woken = true;
    if (this.running) return;
    this.woken = false;
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.woken) this.wake();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.woken = false;
        if (this.stopped) return;
        const { due, nextAt } = this.store.nextDue(this.subscriptionId, new Date().toISOString());
        if (due) {
          await this.send(due);
          continue;
        }
        if (this.woken) continue;
        if (nextAt) {
          const wait = Math.max(10, Date.parse(nextAt) - Date.now());
          this.timer = setTimeout(() => this.wake(), Math.min(wait, 2_147_000_000));
        }
        return;
      }
    } catch (error) {
      this.logger.error(
        { err: error, subscriptionId: this.subscriptionId },
        'webhook sender failed; retrying',
      );
      this.timer = setTimeout(() => this.wake(), 1000);
    }
  }
}
