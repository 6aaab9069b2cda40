import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { retryDelayMs, type RetryPolicy } from '@aidwatch/alerts';
import { webhookTargetProblem } from './webhook-target';
import type { DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookStore } from './webhook-store.port';

export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

export interface WebhookDispatcherOptions {
  policy: RetryPolicy;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Whether loopback, private and link-local targets are allowed (`WEBHOOK_PRIVATE_TARGETS`). */
  allowPrivateTargets: boolean;
  /**
   * How often every subscription is looked at for due deliveries, ms (default 2,000): picks up deliveries
   * enqueued, replayed or left behind (a claim expired) by another process.
   */
  sweepEveryMs?: number;
  /** This process's name in claims (default a random UUID). */
  claimant?: string;
  onAttempt?: (outcome: AttemptOutcome) => void;
  onError?: (error: unknown, context: Record<string, unknown>) => void;
  onDead?: (delivery: WebhookDelivery, error: string) => void;
  /**
   * A claim taken (`claimed`: this process sends the delivery; `claimedBy`/`claimedUntil` say until when;
   * `expiredClaimOf` names the process whose expired claim it took over, if any) or
   * found lost when recording the attempt (`lost`: the claim expired and another process holds the delivery,
   * so this attempt was not recorded and that process sends it again).
   */
  onClaim?: (change: 'claimed' | 'lost', delivery: WebhookDelivery, expiredClaimOf?: string) => void;
}

/**
 * Signed webhook deliveries (Standard Webhooks: `webhook-id` = the delivery id, stable across retries and
 * replicas, `webhook-timestamp`, `webhook-signature`), one sequential sender per subscription so a slow or
 * failing receiver only ever delays itself; retries with exponential backoff and jitter; dead after
 * `policy.maxAttempts`, replayable. A receiver that fails is backed off as a whole, not only the delivery that
 * failed: after `n` failed attempts in a row, the subscription's sender waits the policy's delay for attempt `n`
 * before its next attempt (a circuit breaker's open state), so a receiver that is down gets one probe per
 * delay instead of every pending delivery and every retry at once; its deliveries wait, pending, with their
 * attempts unspent, and one success closes the breaker. Sends only what it claimed in the store (`WebhookStore.claimNext`), so
 * any number of processes may run one on a shared store: each delivery goes out once, unless a process dies
 * between sending and recording (then once more, after its claim expires).
 */
export class WebhookDispatcher {
  readonly claimant: string;
  private readonly senders = new Map<string, Sender>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.claimant = options.claimant ?? randomUUID();
  }

  /** Looks at every subscription now and then every `sweepEveryMs`. */
  start(): void {
    const sweep = () => {
      void this.sweep().finally(() => {
        if (!this.stopped) this.sweepTimer = setTimeout(sweep, this.options.sweepEveryMs ?? 2000);
      });
    };
    sweep();
  }

  /** Makes the subscription's sender look for due deliveries now. */
  kick(subscriptionId: string): void {
    if (this.stopped) return;
    let sender = this.senders.get(subscriptionId);
    if (!sender) {
      sender = new Sender(
        (d) => this.sendOne(d),
        (failures) => endpointPauseMs(this.options.policy, failures),
        () => this.claim(subscriptionId),
        (error) => this.options.onError?.(error, { subscriptionId }),
      );
      this.senders.set(subscriptionId, sender);
    }
    sender.wake();
  }

  /** Stops the subscription's sender (the subscription was deleted). */
  async forget(subscriptionId: string): Promise<void> {
    const sender = this.senders.get(subscriptionId);
    this.senders.delete(subscriptionId);
    await sender?.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sweepTimer);
    await Promise.all([...this.senders.values()].map((s) => s.stop()));
  }

  private async sweep(): Promise<void> {
    try {
      const subscriptions = await this.store.subscriptions();
      const live = new Set(subscriptions.map((s) => s.subscriptionId));
      for (const id of [...this.senders.keys()]) if (!live.has(id)) await this.forget(id);
      for (const s of subscriptions) this.kick(s.subscriptionId);
    } catch (error) {
      this.options.onError?.(error, { sweep: true });
    }
  }

  private async claim(subscriptionId: string) {
    // The claim outlives the longest attempt (the request's timeout) by a margin for recording it.
    const claim = await this.store.claimNext(
      subscriptionId,
      new Date().toISOString(),
      this.claimant,
      this.options.timeoutMs + 30_000,
    );
    if (claim.due) this.options.onClaim?.('claimed', claim.due, claim.expiredClaimOf);
    return claim;
  }

  /** Records an attempt under this process's claim; says so when the claim was lost meanwhile. */
  private async record(
    d: WebhookDelivery,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt?: string },
  ): Promise<boolean> {
    const recorded = await this.store.recordAttempt(d.deliveryId, attempt, outcome, this.claimant);
    if (!recorded) {
      const now = await this.store.delivery(d.deliveryId);
      this.options.onClaim?.('lost', now ?? d);
    }
    return recorded;
  }

  /**
   * One attempt at one claimed delivery: sign, POST, record the outcome and schedule a retry or mark it dead.
   * Whether the receiver failed (no attempt: false).
   */
  private async sendOne(d: WebhookDelivery): Promise<boolean> {
    const subscription = await this.store.subscription(d.subscriptionId);
    if (!subscription) return false;
    const { timeoutMs, allowPrivateTargets, policy } = this.options;
    const attempt = d.attempts + 1;
    const started = Date.now();
    const at = new Date(started);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const refused = await webhookTargetProblem(subscription.url, allowPrivateTargets);
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
        signal: AbortSignal.timeout(timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (e) {
      error =
        (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e as Error).message;
    }
    const record = { attempt, at: at.toISOString(), statusCode, error, durationMs: Date.now() - started };
    if (!error) {
      await this.record(d, record, { status: 'delivered' });
      this.options.onAttempt?.('delivered');
      return false;
    }
    const delay = retryDelayMs(policy, attempt, Math.random());
    this.options.onAttempt?.(delay === undefined ? 'dead' : 'retry');
    if (delay === undefined) {
      await this.record(d, record, { status: 'dead' });
      this.options.onDead?.(d, error);
    } else {
      await this.record(d, record, {
        status: 'pending',
        nextAttemptAt: new Date(Date.now() + delay).toISOString(),
      });
    }
    return true;
  }
}

/**
 * How long (ms) a subscription's sender waits after its receiver failed `failures` attempts in a row: the
 * delivery schedule's delay for that attempt (`retryDelayMs`), its longest once past the attempts a delivery has.
 */
export function endpointPauseMs(policy: RetryPolicy, failures: number, random = Math.random()): number {
  return (
    retryDelayMs(policy, Math.max(1, Math.min(failures, policy.maxAttempts - 1)), random) ?? policy.maxDelayMs
  );
}

/**
 * Sends one subscription's due deliveries one at a time; sleeps until the next is due or it is woken, and after
 * a failed attempt for the receiver's pause (`pauseMs`), which a wake does not cut short.
 */
class Sender {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private woken = false;
  private stopped = false;
  /** Failed attempts in a row (0: the receiver answered the last one). */
  private failures = 0;
  private paused = false;

  constructor(
    private readonly send: (d: WebhookDelivery) => Promise<boolean>,
    private readonly pauseMs: (failures: number) => number,
    private readonly claim: () => Promise<{ due?: WebhookDelivery; nextAt?: string }>,
    private readonly onError: (error: unknown) => void,
  ) {}

  wake(): void {
    if (this.stopped) return;
    this.woken = true;
    if (this.running || this.paused) return;
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
        const { due, nextAt } = await this.claim();
        if (due) {
          const failed = await this.send(due);
          this.failures = failed ? this.failures + 1 : 0;
          if (failed) {
            this.pause(this.pauseMs(this.failures));
            return;
          }
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
      this.onError(error);
      this.timer = setTimeout(() => this.wake(), 1000);
    }
  }

  private pause(ms: number): void {
    this.paused = true;
    this.woken = false;
    this.timer = setTimeout(
      () => {
        this.paused = false;
        this.wake();
      },
      Math.min(ms, 2_147_000_000),
    );
  }
}
