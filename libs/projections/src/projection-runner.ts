import { performance } from 'node:perf_hooks';
import type { EventStore, Position, StoredEvent, Subscription } from '@aidwatch/event-store';
import type { CheckpointStore } from './checkpoint-store';
import type { Projection } from './projection';

export interface RunnerOptions {
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /**
   * For projections with incremental checkpoints: also checkpoint once this many subjects changed (1,000
   * unless set). A checkpoint writes every changed subject in one transaction, so this bounds what one
   * checkpoint costs and blocks, whatever the number of subjects (vessels) tracked.
   */
  checkpointMaxChanged?: number;
  onError?: (error: unknown, event: StoredEvent | undefined) => void;
  /**
   * After a failure, start again from the checkpoint after this delay (doubling up to 30 s while it keeps
   * failing). Unset: a failure stops the runner until `start()` is called.
   */
  restartAfterMs?: number;
  onProcessed?: (event: StoredEvent) => void;
  /** After each checkpoint: how long taking and saving it blocked the thread, in milliseconds. */
  onCheckpoint?: (info: { position: Position; durationMs: number }) => void;
  /** Wall clock, for checkpoint timing and lag only (never for detection). */
  now?: () => Date;
  /**
   * Longest stretch, in ms, that catch-up works before it lets the event loop run (HTTP, health, metrics, Kafka
   * heartbeats); 20 ms unless set.
   */
  sliceMs?: number;
}

export interface RunnerStatus {
  projection: string;
  running: boolean;
  processed: number;
  position: Position | null;
  lastRecordedAt: string | null;
  checkpointedAt: string | null;
}

/**
 * Runs one projection over a catch-up subscription to the whole store, resuming after its checkpoint.
 * A failing `apply` stops the runner (the event is not skipped); `start` again resumes from the checkpoint.
 */
export class ProjectionRunner {
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private position: Position | null = null;
  private lastRecordedAt: string | null = null;
  private processed = 0;
  private sinceCheckpoint = 0;
  private lastCheckpointAt = 0;
  private checkpointedAt: string | null = null;
  private readonly idleWaiters: Array<() => void> = [];
  private applying = false;
  private timer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number | undefined;
  private stopping = false;
  private entriesSaved = false;
  private readonly now: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    readonly projection: Projection,
    private readonly options: RunnerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    clearTimeout(this.restartTimer);
    const saved = this.checkpoints.load(this.projection.name);
    this.projection.reset();
    if (saved) this.projection.restore(saved.snapshot);
    // Changes are relative to what was restored from entries; otherwise the first checkpoint writes them all.
    this.entriesSaved = saved?.incremental === true;
    this.position = saved?.position ?? null;
    this.checkpointedAt = saved?.updatedAt ?? null;
    this.lastCheckpointAt = this.now().getTime();
    const subscription = this.store.subscribeToAll({
      after: this.position ?? undefined,
      filter: this.projection.filter,
    });
    this.subscription = subscription;
    // A quiet period after a burst still gets its checkpoint, but never in the middle of an apply.
    this.timer = setInterval(() => {
      if (!this.applying) this.checkpoint();
    }, this.options.checkpointEveryMs);
    this.timer.unref();
    this.loop = this.consume(subscription).finally(() => {
      clearInterval(this.timer);
      this.loop = undefined;
      this.subscription = undefined;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const loop = this.loop;
    await this.subscription?.close();
    await loop;
    this.checkpoint();
  }

  /** Drops the checkpoint and state, then replays the whole log. */
  async rebuild(): Promise<void> {
    await this.stop();
    this.checkpoints.delete(this.projection.name);
    this.position = null;
    this.processed = 0;
    this.start();
  }

  status(): RunnerStatus {
    return {
      projection: this.projection.name,
      running: this.loop !== undefined,
      processed: this.processed,
      position: this.position,
      lastRecordedAt: this.lastRecordedAt,
      checkpointedAt: this.checkpointedAt,
    };
  }

  /** Resolves once the projection has processed everything in the store at the time of the call. */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.store.readAll({
        after: this.position ?? undefined,
        maxCount: 1,
        filter: this.projection.filter,
      });
      if (pending.length === 0) return;
      if (!this.loop) throw new Error(`Projection ${this.projection.name} is not running`);
      if (Date.now() > deadline) throw new Error(`Projection ${this.projection.name} did not catch up`);
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** True while events the projection has not processed are waiting in the store (a backlog or rebuild). */
  async catchingUp(): Promise<boolean> {
    const pending = await this.store.readAll({
      after: this.position ?? undefined,
      maxCount: 1,
      filter: this.projection.filter,
    });
    return pending.length > 0;
  }

  /** Age of the oldest event this projection has not processed yet; 0 when it is caught up. */
  async lagSeconds(): Promise<number> {
    const [pending] = await this.store.readAll({
      after: this.position ?? undefined,
      maxCount: 1,
      filter: this.projection.filter,
    });
    if (!pending) return 0;
    return Math.max(0, (this.now().getTime() - Date.parse(pending.recordedAt)) / 1000);
  }

  private async consume(subscription: Subscription): Promise<void> {
    let current: StoredEvent | undefined;
    const sliceMs = this.options.sliceMs ?? 20;
    let sliceStarted = performance.now();
    try {
      for await (const event of subscription) {
        if (performance.now() - sliceStarted >= sliceMs) {
          // A backlog is replayed in bounded slices: the promises above settle as microtasks, which would
          // otherwise keep timers and I/O waiting until the whole replay is done.
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStarted = performance.now();
          if (this.stopping) break;
        }
        current = event;
        this.applying = true;
        await this.projection.apply(event);
        this.applying = false;
        this.position = event.position;
        this.lastRecordedAt = event.recordedAt;
        this.processed += 1;
        this.sinceCheckpoint += 1;
        this.options.onProcessed?.(event);
        this.maybeCheckpoint();
        this.wakeIdleWaiters();
        this.restartDelayMs = undefined;
      }
    } catch (error) {
      this.options.onError?.(error, current);
      this.scheduleRestart();
    } finally {
      this.wakeIdleWaiters();
    }
  }

  private scheduleRestart(): void {
    const base = this.options.restartAfterMs;
    if (base === undefined || this.stopping) return;
    const delay = this.restartDelayMs === undefined ? base : Math.min(this.restartDelayMs * 2, 30_000);
    this.restartDelayMs = delay;
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.start();
    }, delay);
    this.restartTimer.unref();
  }

  private maybeCheckpoint(): void {
    const due =
      this.sinceCheckpoint >= this.options.checkpointEveryEvents ||
      (this.entriesSaved &&
        (this.projection.changedCount?.() ?? 0) >= (this.options.checkpointMaxChanged ?? 1000)) ||
      this.now().getTime() - this.lastCheckpointAt >= this.options.checkpointEveryMs;
    if (due) this.checkpoint();
  }

  private checkpoint(): void {
    if (this.position === null || this.sinceCheckpoint === 0) return;
    const at = this.now();
    const started = performance.now();
    if (this.projection.snapshotChanges) {
      const all = !this.entriesSaved;
      const changes = this.projection.snapshotChanges(all);
      this.checkpoints.saveChanges(this.projection.name, this.position, changes, at, all);
      this.entriesSaved = true;
    } else {
      this.checkpoints.save(this.projection.name, this.position, this.projection.snapshot(), at);
    }
    this.options.onCheckpoint?.({ position: this.position, durationMs: performance.now() - started });
    this.sinceCheckpoint = 0;
    this.lastCheckpointAt = at.getTime();
    this.checkpointedAt = at.toISOString();
  }

  private wakeIdleWaiters(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
