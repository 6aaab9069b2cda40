import { randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AlertFilter, AlertLabels } from '@aidwatch/alerts';
import { publishedForm } from '@aidwatch/domain';
import type { AppConfig } from '@aidwatch/config';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@aidwatch/event-store';
import { AidwatchMetrics, type Logger } from '@aidwatch/observability';
import { CheckpointStore, ProjectionRunner } from '@aidwatch/projections';
import type { ApiKeyStore } from '@aidwatch/access';
import { API_KEY_STORE, APP_CONFIG, HealthRegistry, LOGGER } from '@aidwatch/runtime';
import {
  createWebhookStore,
  outboxNameOf,
  WebhookDispatcher,
  WebhookOutboxes,
  WebhookOutboxProjection,
  type DeliveryStatus,
  type WebhookStore,
  type WebhookSubscription,
} from '@aidwatch/webhooks';
import { AlertsService } from '../alerts/alerts.service';
import { consignmentIdsOf, RedactionService, type PublishedEvent } from '../caller/redaction.service';

/**
 * Whether a subscription's creator is an API key that has since been revoked: its subscriptions then
 * stop receiving new deliveries. A subscription made with an identity-provider token belongs to the
 * token's organisation and stays until deleted (a token cannot be revoked here, only expire).
 */
async function revokedKey(keys: ApiKeyStore, createdBy: string): Promise<boolean> {
  if (!createdBy.startsWith('key:')) return false;
  return (await keys.find(createdBy.slice('key:'.length)))?.revokedAt !== undefined;
}

/**
 * Webhooks in the API: the outboxes (one per organisation) and the dispatcher of `@aidwatch/webhooks` on the
 * configured store (shared by every API replica with `EVENT_STORE=postgres`), wired to this process's alert
 * book, key store and redaction.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store: WebhookStore;
  /** One outbox per organisation with subscriptions, and the operators' (see `WebhookOutboxes`). */
  private readonly outboxes: WebhookOutboxes;
  private readonly dispatcher: WebhookDispatcher;
  /** Whether webhooks may target loopback, private and link-local addresses (`WEBHOOK_PRIVATE_TARGETS`). */
  readonly allowPrivateTargets: boolean;
  private counts: Partial<Record<DeliveryStatus, number>> = {};
  private subscriptionCount = 0;
  private countTimer: NodeJS.Timeout | undefined;
  private unwatchLag: (() => void) | undefined;

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
    this.store = createWebhookStore(config);
    metrics.watchWebhookDeliveries(() => this.counts);
    this.allowPrivateTargets = config.webhooks.allowPrivateTargets;
    this.dispatcher = new WebhookDispatcher(this.store, {
      // Named as the detector lease names its holder, so a claim in GET …/deliveries points at a process.
      claimant: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      policy: config.webhooks,
      timeoutMs: config.webhooks.timeoutMs,
      allowPrivateTargets: config.webhooks.allowPrivateTargets,
      onAttempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
      onDead: (d, error) =>
        logger.warn(
          { deliveryId: d.deliveryId, subscriptionId: d.subscriptionId, error },
          'webhook delivery dead',
        ),
      onClaim: (change, d, expiredClaimOf) => {
        const claim = {
          deliveryId: d.deliveryId,
          subscriptionId: d.subscriptionId,
          claimedBy: d.claimedBy,
          claimedUntil: d.claimedUntil,
        };
        if (change === 'claimed' && expiredClaimOf)
          logger.info(
            { ...claim, expiredClaimOf },
            'webhook delivery claimed after the claim of expiredClaimOf expired; sending it again',
          );
        else if (change === 'claimed') logger.debug(claim, 'webhook delivery claimed');
        else
          logger.info(
            { ...claim, claimant: this.dispatcher.claimant },
            'webhook claim expired before the attempt was recorded; the delivery now belongs to claimedBy',
          );
      },
      onError: (error, context) =>
        logger.error({ err: error, ...context }, 'webhook sender failed; retrying'),
    });
    const outboxDeps = {
      store: this.store,
      classify: (id: string) => alerts.projection.classificationOf(id, 30_000),
      isFolded: (id: string) => alerts.projection.folded(id),
      creatorRevoked: (createdBy: string) => revokedKey(keys, createdBy),
      payloadFor: async (stored: StoredEvent, tenant: string | undefined) =>
        JSON.stringify(
          await redaction.event(
            publishedForm(stored.data as PublishedEvent),
            consignmentIdsOf(stored),
            tenant,
          ),
        ),
      labelsFor: (labels: AlertLabels, tenant: string | undefined) => redaction.labels(labels, tenant),
      enqueued: (id: string) => this.dispatcher.kick(id),
    };
    this.outboxes = new WebhookOutboxes((tenant) => {
      const projection = new WebhookOutboxProjection(outboxDeps, tenant);
      const runner = new ProjectionRunner(eventStore, checkpoints, projection, {
        checkpointEveryEvents: config.checkpointEveryEvents,
        checkpointEveryMs: config.checkpointEveryMs,
        restartAfterMs: 1000,
        onError: (error) => logger.error({ err: error, outbox: projection.name }, 'webhook outbox stopped'),
      });
      return { projection, runner };
    });
    // lagSeconds: how long the oldest alert event not yet turned into deliveries has waited (a flood of one
    // organisation's flags shows here before its receivers see it); a backlog is not a failure.
    health.register('webhooks', async () => ({
      ok: this.outboxes.running(),
      detail: {
        subscriptions: this.subscriptionCount,
        lagSeconds: await this.outboxes.lagSeconds().catch(() => undefined),
      },
    }));
  }

  onApplicationBootstrap(): void {
    this.outboxes.start();
    this.unwatchLag = this.metrics.watchProjectionLag(outboxNameOf(undefined), () =>
      this.outboxes.lagSeconds(),
    );
    this.dispatcher.start();
    const refresh = async () => {
      try {
        this.counts = await this.store.countsByStatus();
        const subscriptions = await this.store.subscriptions();
        this.subscriptionCount = subscriptions.length;
        // An organisation's first subscription made on another replica: its outbox starts here too.
        this.outboxes.ensure(subscriptions);
      } catch (error) {
        this.logger.warn({ err: error }, 'webhook counts not read');
      }
    };
    void refresh();
    this.countTimer = setInterval(() => void refresh(), 5000);
    this.countTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.countTimer);
    this.unwatchLag?.();
    await this.outboxes.stop();
    await this.dispatcher.stop();
    await this.store.close();
  }

  async subscribe(input: {
    url: string;
    secret?: string;
    filters: AlertFilter;
    tenant?: string;
    createdBy: string;
  }): Promise<WebhookSubscription> {
    const subscription: WebhookSubscription = {
      subscriptionId: randomUUID(),
      url: input.url,
      secret: input.secret ?? `whsec_${randomBytes(24).toString('base64')}`,
      filters: input.filters,
      ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
      createdBy: input.createdBy,
      createdAt: new Date().toISOString(),
    };
    await this.store.addSubscription(subscription);
    this.outboxes.invalidate();
    this.outboxes.ensure([subscription]);
    this.subscriptionCount += 1;
    return subscription;
  }

  async unsubscribe(subscriptionId: string): Promise<void> {
    await this.store.deleteSubscription(subscriptionId, new Date().toISOString());
    this.outboxes.invalidate();
    await this.dispatcher.forget(subscriptionId);
  }

  async replay(subscriptionId: string, deliveryIds?: string[]): Promise<number> {
    const n = await this.store.replay(subscriptionId, new Date().toISOString(), deliveryIds);
    if (n > 0) this.dispatcher.kick(subscriptionId);
    return n;
  }
}
