import type { Projection } from '@aidwatch/projections';
import type { WebhookSubscription } from './webhook-store.port';
import type { WebhookOutboxProjection } from './webhook-outbox';

/** What runs one outbox: started, stopped, asked how far behind it is (a `ProjectionRunner`). */
export interface OutboxRunner {
  readonly projection: Projection;
  start(): void;
  stop(): Promise<void>;
  status(): { running: boolean };
  lagSeconds(): Promise<number>;
}

/**
 * The outboxes of a process: one per organisation that has subscriptions, and one for the subscriptions of
 * no organisation (operators'), each a `WebhookOutboxProjection` with a runner of its own (`make`). An
 * organisation's outbox starts when its first subscription is seen — created here, or read from the store
 * (`ensure`, called with the subscription list every few seconds: another replica's subscription included)
 * — and follows the store from its own checkpoint, from the beginning the first time (its deliveries are
 * keyed by subscription and event, so nothing is enqueued twice).
 */
export class WebhookOutboxes {
  private readonly outboxes = new Map<
    string | undefined,
    { projection: WebhookOutboxProjection; runner: OutboxRunner }
  >();
  private started = false;

  constructor(
    private readonly make: (tenant: string | undefined) => {
      projection: WebhookOutboxProjection;
      runner: OutboxRunner;
    },
  ) {}

  /** Starts the operators' outbox and those already ensured. */
  start(): void {
    this.started = true;
    this.ensureTenant(undefined);
    for (const { runner } of this.outboxes.values()) if (!runner.status().running) runner.start();
  }

  /** Starts the outbox of every organisation among `subscriptions` that has none yet. */
  ensure(subscriptions: readonly Pick<WebhookSubscription, 'tenant'>[]): void {
    for (const s of subscriptions) this.ensureTenant(s.tenant);
  }

  /** Every outbox forgets its subscription list (a subscription was added or deleted here). */
  invalidate(): void {
    for (const { projection } of this.outboxes.values()) projection.invalidate();
  }

  /** The outboxes' checkpoint names. */
  names(): string[] {
    return [...this.outboxes.values()].map(({ projection }) => projection.name).sort();
  }

  /** Whether every outbox is running. */
  running(): boolean {
    return [...this.outboxes.values()].every(({ runner }) => runner.status().running);
  }

  /**
   * How long (s) the oldest alert event not yet passed by some outbox has waited: the slowest outbox's lag
   * (an organisation's flood shows here while the others' outboxes keep up).
   */
  async lagSeconds(): Promise<number> {
    const lags = await Promise.all([...this.outboxes.values()].map(({ runner }) => runner.lagSeconds()));
    return lags.reduce((max, lag) => (lag > max ? lag : max), 0);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.outboxes.values()].map(({ runner }) => runner.stop()));
  }

  private ensureTenant(tenant: string | undefined): void {
    if (this.outboxes.has(tenant)) return;
    const outbox = this.make(tenant);
    this.outboxes.set(tenant, outbox);
    if (this.started) outbox.runner.start();
  }
}
