import { createHash } from 'node:crypto';
import {
  filterMatches,
  notifiesRecipient,
  type AlertLabels,
  type EventClassification,
} from '@aidwatch/alerts';
import { NotificationEventPrefixes, publishedTypeOf } from '@aidwatch/domain';
import type { StoredEvent } from '@aidwatch/event-store';
import type { Projection } from '@aidwatch/projections';
import type { NewDelivery, WebhookStore, WebhookSubscription } from './webhook-store.port';

/** A delivery's id (`msg_` and 26 hex digits of SHA-256 over subscription and event): the same on every replica. */
export function deliveryIdOf(subscriptionId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${subscriptionId}|${eventId}`).digest('hex').slice(0, 26)}`;
}

export interface WebhookOutboxDependencies {
  store: WebhookStore;
  /** How the alert book classified a flag or lifecycle event (undefined: of no alert, or not folded yet). */
  classify(eventId: string): Promise<EventClassification | undefined>;
  /** Whether the alert book has passed this event. */
  isFolded(eventId: string): boolean;
  /** Whether a subscription's creator is a revoked API key (its subscriptions then receive nothing new). */
  creatorRevoked(createdBy: string): Promise<boolean>;
  /** The CloudEvent as the subscription's organisation may receive it (JSON text). */
  payloadFor(stored: StoredEvent, tenant: string | undefined): Promise<string>;
  /** An alert's labels as the subscription's organisation may match on them. */
  labelsFor(labels: AlertLabels, tenant: string | undefined): AlertLabels;
  /** Called for every delivery this process added (another replica may have added the same one first). */
  enqueued(subscriptionId: string): void;
  /** Wall clock in ms (the subscription list's age). */
  now?: () => number;
}

/** How far back (ms) of the time the subscription list was read an event must be recorded to use that list. */
const SUBSCRIPTION_LIST_SKEW_MS = 10_000;

/** The checkpoint name of the outbox of `tenant`'s subscriptions (undefined: those of no organisation). */
export function outboxNameOf(tenant: string | undefined): string {
  return tenant === undefined ? 'webhook-outbox-v2' : `webhook-outbox-v2/${tenant}`;
}

/**
 * Turns notifiable alert events into deliveries, one per matching subscription, with a checkpoint of its
 * own. The classification comes from the process's alert book, which folds the same store. Every API
 * replica runs it; the second enqueue of a delivery is a no-op. The subscription list is read from the
 * store again for any event recorded near or after the time it was last read, so a subscription created on
 * another replica is seen by this one for every event recorded after its creation.
 *
 * One outbox serves one organisation's subscriptions (`tenant`), or those of no organisation (operators'):
 * each follows the store at its own pace with its own checkpoint (`outboxNameOf`), so a flood of one
 * organisation's alerts — thousands of flags times a hundred subscriptions to write — never holds another
 * organisation's deliveries back: its outbox passes events that are not its organisation's without any I/O.
 */
export class WebhookOutboxProjection implements Projection {
  readonly name: string;
  readonly filter = { eventTypePrefixes: [...NotificationEventPrefixes] };
  private listed: { at: number; subscriptions: WebhookSubscription[] } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly deps: WebhookOutboxDependencies,
    readonly tenant?: string,
  ) {
    this.now = deps.now ?? Date.now;
    this.name = outboxNameOf(tenant);
  }

  async apply(stored: StoredEvent): Promise<void> {
    const c = await this.deps.classify(stored.id);
    // Not folded yet (the book lags): fail, so the runner retries from its checkpoint; nothing is lost.
    if (c === undefined && !this.deps.isFolded(stored.id))
      throw new Error(`alert book has not reached ${stored.id}`);
    if (!c) return;
    const tenant = this.tenant;
    // Not for this outbox's recipients (muted for them, or another organisation's alert): nothing to read or write.
    if (!notifiesRecipient(c, tenant)) return;
    if (tenant !== undefined && !c.labels.organisation.includes(tenant)) return;
    // Every subscription here is of one organisation (or of none): one payload, the labels redacted once, and the
    // event's deliveries added in one transaction — many subscriptions cost one write per event, not one each.
    const facts = { ...c, labels: this.deps.labelsFor(c.labels, tenant) };
    let payload: string | undefined;
    const deliveries: NewDelivery[] = [];
    for (const s of await this.subscriptionsFor(stored.recordedAt)) {
      if (s.tenant !== tenant) continue;
      if (stored.recordedAt < s.createdAt) continue;
      if (await this.deps.creatorRevoked(s.createdBy)) continue;
      if (!filterMatches(s.filters, facts)) continue;
      payload ??= await this.deps.payloadFor(stored, tenant);
      deliveries.push({
        deliveryId: deliveryIdOf(s.subscriptionId, stored.id),
        subscriptionId: s.subscriptionId,
        eventId: stored.id,
        eventType: publishedTypeOf(stored.type),
        payload,
        createdAt: stored.recordedAt,
      });
    }
    const added = await this.deps.store.enqueueMany(deliveries);
    deliveries.forEach((d, i) => {
      if (added[i]) this.deps.enqueued(d.subscriptionId);
    });
  }

  /** Forgets the subscription list (a subscription was added or deleted here). */
  invalidate(): void {
    this.listed = undefined;
  }

  snapshot(): unknown {
    return {};
  }
  restore(): void {}
  reset(): void {}

  private async subscriptionsFor(recordedAt: string): Promise<WebhookSubscription[]> {
    const listed = this.listed;
    if (listed && Date.parse(recordedAt) < listed.at - SUBSCRIPTION_LIST_SKEW_MS) return listed.subscriptions;
    const at = this.now();
    const subscriptions = await this.deps.store.subscriptions();
    this.listed = { at, subscriptions };
    return subscriptions;
  }
}
