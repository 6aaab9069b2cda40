import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import {
  FencedError,
  type EventStore,
  type Position,
  type StoredEvent,
  type Subscription,
} from '@aidwatch/event-store';
import type { Checkpoint, CheckpointStore } from './checkpoint-store';
import type { Projection } from './projection';

export interface RunnerOptions {
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /**
   * Projections that checkpoint in parts (`checkpointParts`) build one part per turn of the event loop: subjects
   * are added to it until this long has passed (5 ms unless set) or it holds `checkpointPartSize` of them. So no
   * checkpoint holds the thread for long, however many subjects changed or however dear each one is to write.
   */
  checkpointPartMs?: number;
  /** Most subjects in one part of a checkpoint (5,000 unless set; parts are bounded by `checkpointPartMs` first). */
  checkpointPartSize?: number;
  /**
   * False: the projection's checkpoint is saved whole (`snapshot`) even when it can be written in parts. For
   * a checkpoint several processes write under one name (API replicas sharing PostgreSQL): parts hold what
   * changed since the writer's own last checkpoint, which another writer's commits in between would break.
   * True unless set.
   */
  checkpointInParts?: boolean;
  /**
   * For a checkpoint several processes keep under one name (API replicas sharing PostgreSQL): asked before each
   * write whether this process writes it now (`CheckpointWriter`). Without one, this process always does.
   */
  checkpointWriter?: CheckpointWriter;
  onError?: (error: unknown, event: StoredEvent | undefined) => void;
  /**
   * After a failure, start again from the checkpoint after this delay (doubling up to 30 s while it keeps
   * failing). Unset: a failure stops the runner until `start()` is called.
   */
  restartAfterMs?: number;
  onProcessed?: (event: StoredEvent) => void;
  /**
   * After each checkpoint: `durationMs` from start to commit, `blockedMs` the longest stretch it held the thread
   * (one part, or the whole of a checkpoint written at once), `subjects` the entries written (incremental only).
   */
  onCheckpoint?: (info: {
    position: Position;
    durationMs: number;
    blockedMs: number;
    /** How long event handling waited for this checkpoint (its last round; the whole write when not in parts). */
    heldMs: number;
    subjects?: number;
  }) => void;
  /** Wall clock, for checkpoint timing and lag only (never for detection). */
  now?: () => Date;
  /**
   * Longest stretch, in ms, that catch-up works before it lets the event loop run (HTTP, health, metrics, Kafka
   * heartbeats); 20 ms unless set.
   */
  sliceMs?: number;
  /**
   * While the projection replays a backlog (a restart after downtime, a rebuild: events keep coming and the
   * last was recorded more than 1 s ago), a checkpoint holds the replay while it is written (see `writeParts`),
   * so checkpoints come at most this often (ms of the monotonic clock; 5,000 unless set), and no more often than
   * makes them a tenth of the replay's time: at least ten times as long as the last one held events after it.
   * Live, or with nothing left to replay, `checkpointEveryEvents` and `checkpointEveryMs` alone decide. A crash
   * while behind replays at most this much again.
   */
  catchUpCheckpointMinMs?: number;
  /**
   * The monotonic clock (ms, never stepping back) the catch-up spacing is measured on: when the last checkpoint
   * ended and when the last event came. `performance.now()` unless set (a test's simulated replay time).
   */
  monotonicNow?: () => number;
}

/**
 * Which of several processes folding the same projection writes its one checkpoint, one at a time, so the
 * checkpoint can be written in parts (what changed since the writer's own last one): `claim()` before each
 * write answers `none` (another process writes it now: this write is skipped), `new` (this process has just
 * become the writer: it writes everything, then only what changed) or `same` (it still is). A writer's
 * writes are fenced (the checkpoint store refuses them with `FencedError` once another has taken over; the
 * runner then counts itself out until its next claim). See `LeasedCheckpointWriter`.
 */
export interface CheckpointWriter {
  claim(): Promise<'none' | 'new' | 'same'>;
}

export interface RunnerStatus {
  projection: string;
  running: boolean;
  processed: number;
  position: Position | null;
  lastRecordedAt: string | null;
  checkpointedAt: string | null;
  /**
   * The runner's last failure, while it lasts: from a failing checkpoint load or apply until the load or the
   * apply of the same event succeeds on a restart, and from a failing checkpoint write until a checkpoint is
   * written (`at`: when it failed, ISO 8601). Null when none.
   */
  failing: { message: string; at: string } | null;
}

/** A checkpoint given up because an apply failed meanwhile (nothing is committed; not a failure of its own). */
class CheckpointAbandoned extends Error {
  constructor() {
    super('checkpoint abandoned: an event failed to apply, or its writes did');
  }
}

/**
 * Events recorded longer ago than this (ms) when a checkpoint starts: the projection is behind, and the
 * checkpoint holds events from the start instead of writing rounds beside them (see `writeParts`).
 */
const LIVE_LAG_MS = 1000;

/**
 * How long a checkpoint waits for the writes its projection's applies left running (ms) before it is given up
 * (the store refuses them meanwhile; the next checkpoint tries again).
 */
const FLUSH_WAIT_MS = 10_000;

/** The largest share of a replay's time that checkpoints holding it may take (see `catchUpCheckpointMinMs`). */
const CATCH_UP_CHECKPOINT_SHARE = 0.1;

/** A projection whose subscription gave it an event within this long (ms) is still replaying (or live). */
const REPLAYING_MS = 100;

/** Rounds of a checkpoint in parts written while events go on, before the last round holds them (see `writeParts`). */
const PRE_COPY_ROUNDS = 4;

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
  private settleTimer: NodeJS.Timeout | undefined;
  private settling: Promise<void> | undefined;
  /**
   * Events were folded since the last checkpoint this process wrote, but another process held the
   * checkpoint's lease (`checkpointWriter`): the timer keeps claiming, so when the holder dies the checkpoint
   * is taken over and brought up to date without waiting for the next event.
   */
  private unsavedSinceSkip = false;
  private lastCheckpointAt = 0;
  /** How long the last checkpoint held events (ms; see `tooSoonWhileBehind`). */
  private lastHeldMs = 0;
  /** When the last checkpoint ended, and when the last event came from the subscription (`performance.now()`). */
  private lastCheckpointEnded = 0;
  private lastEventAt = 0;
  private checkpointedAt: string | null = null;
  private readonly idleWaiters: Array<() => void> = [];
  private applying = false;
  private timer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number | undefined;
  /** The last failure until the load or apply that failed succeeds (see `RunnerStatus.failing`). */
  private failing: {
    message: string;
    at: string;
    phase: 'load' | 'apply' | 'checkpoint';
    error: unknown;
  } | null = null;
  private stopping = false;
  private entriesSaved = false;
  private checkpointing: Promise<void> | undefined;
  /** While a checkpoint holds event handling (its last round, or a write of the whole state). */
  private holding: Promise<void> | undefined;
  /** The apply being awaited, if any (a checkpoint's last round waits for it). */
  private inFlight: Promise<void> | undefined;
  /** An apply failed: the state is not that of a position until the runner restarts from its checkpoint. */
  private broken = false;
  /** A checkpoint's rounds are being written beside the events (see `writeParts`). */
  private preCopying = false;
  /** After a failed checkpoint write: none is started after an event before this (ms since the epoch). */
  private checkpointRetryAt = 0;
  private readonly now: () => Date;
  private readonly nowMs: () => number;
  private readonly monotonicNow: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    readonly projection: Projection,
    private readonly options: RunnerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    // Asked after every event: without a clock of the options', no Date is made for it.
    this.nowMs = options.now ? () => options.now!().getTime() : Date.now;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /**
   * Starts consuming: loads the checkpoint (asynchronously: the checkpoint store may be a database), restores
   * the projection from it and subscribes after its position. A failing load is reported to `onError` and
   * retried like a failing apply.
   */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    clearTimeout(this.restartTimer);
    this.loop = this.run().finally(() => {
      clearInterval(this.timer);
      this.loop = undefined;
      this.subscription = undefined;
    });
  }

  private async run(): Promise<void> {
    let saved: Checkpoint | undefined;
    try {
      saved = await this.checkpoints.load(this.projection.name);
    } catch (error) {
      this.fail(error, 'load');
      this.options.onError?.(error, undefined);
      this.scheduleRestart();
      return;
    }
    if (this.failing?.phase === 'load') this.failing = null;
    if (this.stopping) return;
    // A checkpoint still being written from before a failure ends first (its last round is abandoned).
    await this.checkpointing?.catch(() => undefined);
    // stop() may have come meanwhile: it found no subscription to close.
    if (this.stopping) return;
    this.broken = false;
    this.projection.reset();
    if (saved) this.projection.restore(saved.snapshot);
    // Changes are relative to what was restored from entries; otherwise the first checkpoint writes them all.
    this.entriesSaved = saved?.incremental === true;
    this.position = saved?.position ?? null;
    this.checkpointedAt = saved?.updatedAt ?? null;
    // A checkpoint may keep work the projection had left for later: it is done even if no event comes.
    if (this.projection.unsettled?.()) this.scheduleSettle();
    this.lastCheckpointAt = this.now().getTime();
    this.lastCheckpointEnded = this.monotonicNow();
    const subscription = this.store.subscribeToAll({
      after: this.position ?? undefined,
      filter: this.projection.filter,
    });
    this.subscription = subscription;
    // A quiet period after a burst still gets its checkpoint (its state is taken between applies: see holdEvents).
    this.timer = setInterval(() => {
      if (!this.checkpointing && !this.broken && !this.tooSoonWhileBehind())
        void this.checkpoint().catch((error: unknown) => this.options.onError?.(error, undefined));
    }, this.options.checkpointEveryMs);
    this.timer.unref();
    await this.consume(subscription);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    const loop = this.loop;
    await this.subscription?.close();
    await loop;
    await this.settling;
    // A write in the background that failed was reported then; the last checkpoint is tried all the same.
    await this.checkpointing?.catch(() => undefined);
    await this.checkpoint();
  }

  /** Drops the checkpoint and state, then replays the whole log. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.checkpoints.delete(this.projection.name);
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
      failing: this.failing === null ? null : { message: this.failing.message, at: this.failing.at },
    };
  }

  private fail(error: unknown, phase: 'load' | 'apply' | 'checkpoint'): void {
    if (this.failing?.error === error) return;
    const message = error instanceof Error ? error.message : String(error);
    this.failing = { message: message.slice(0, 500), at: this.now().toISOString(), phase, error };
  }

  /**
   * Resolves once the projection has processed everything in the store at the time of the call, done the work
   * it left for later (`Projection.settle`) and finished the checkpoint it was writing, if any.
   */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = await this.store.readAll({
        after: this.position ?? undefined,
        maxCount: 1,
        filter: this.projection.filter,
      });
      // Work the projection left for later (`settle`) is part of catching up, and so is the checkpoint being
      // written (it goes on beside the events).
      if (pending.length === 0 && !this.projection.unsettled?.()) {
        // What the applies wrote without waiting (detection's flags) is part of catching up.
        if (this.projection.flush && !(await this.projection.flush(Math.max(0, deadline - Date.now()))))
          throw new Error(`Projection ${this.projection.name} did not catch up: its writes are not done`);
        if (!this.checkpointing) return;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`Projection ${this.projection.name} did not catch up`);
        await Promise.race([
          this.checkpointing.catch(() => undefined),
          new Promise<void>((resolve) => setTimeout(resolve, left).unref()),
        ]);
        continue;
      }
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
    return (await this.backlog()).catchingUp;
  }

  /** Age of the oldest event this projection has not processed yet; 0 when it is caught up. */
  async lagSeconds(): Promise<number> {
    return (await this.backlog()).lagSeconds;
  }

  /**
   * Both, from one read of the store: whether events the projection has not processed are waiting, and the
   * age in seconds of the oldest of them (0 when none, or when it was recorded just now).
   */
  async backlog(): Promise<{ catchingUp: boolean; lagSeconds: number }> {
    // After what the subscription examined and this runner took, not after its last event: the events between
    // that it does not select are not read again at every ask (see `Subscription.settledPosition`). Not while
    // failing: a restart replays from the checkpoint what the subscription had handed over.
    const settled = this.failing === null ? this.subscription?.settledPosition?.() : undefined;
    const [pending] = await this.store.readAll({
      after: settled ?? this.position ?? undefined,
      maxCount: 1,
      filter: this.projection.filter,
    });
    if (!pending) return { catchingUp: false, lagSeconds: 0 };
    return {
      catchingUp: true,
      lagSeconds: Math.max(0, (this.now().getTime() - Date.parse(pending.recordedAt)) / 1000),
    };
  }

  private async consume(subscription: Subscription): Promise<void> {
    let current: StoredEvent | undefined;
    const sliceMs = this.options.sliceMs ?? 20;
    let sliceStarted = performance.now();
    try {
      // A page at a time where the store offers it: one promise a page instead of one an event.
      pages: for await (const page of pagesOf(subscription)) {
        for (const event of page) {
          // While a checkpoint is written beside the events, their slices are no longer than its parts: the
          // subjects get written faster than a backlog changes them, so its rounds converge (see `writeParts`).
          const slice = this.preCopying ? Math.min(sliceMs, this.options.checkpointPartMs ?? 5) : sliceMs;
          this.lastEventAt = this.monotonicNow();
          if (performance.now() - sliceStarted >= slice) {
            // A backlog is replayed in bounded slices: the promises above settle as microtasks, which would
            // otherwise keep timers and I/O waiting until the whole replay is done.
            await nextTurn();
            sliceStarted = performance.now();
            if (this.stopping || subscription.isClosed?.()) break pages;
          }
          current = event;
          // A checkpoint's last round holds events (see `writeParts`); a slice of deferred work (`settle`) runs
          // alone too.
          while (this.holding || this.settling) await (this.holding ?? this.settling);
          this.applying = true;
          const applied = this.projection.apply(event);
          if (applied) {
            this.inFlight = applied;
            await applied;
            this.inFlight = undefined;
          }
          this.applying = false;
          if (this.projection.unsettled?.()) this.scheduleSettle();
          this.position = event.position;
          this.lastRecordedAt = event.recordedAt;
          this.processed += 1;
          this.sinceCheckpoint += 1;
          this.options.onProcessed?.(event);
          // Written beside the events that follow (see `writeParts`); a failed write is reported and tried again.
          if (this.checkpointDue() && !this.checkpointing)
            void this.checkpoint().catch((error: unknown) => this.options.onError?.(error, undefined));
          this.wakeIdleWaiters();
          this.restartDelayMs = undefined;
          // A failed checkpoint write stays reported until a checkpoint is written.
          if (this.failing !== null && this.failing.phase !== 'checkpoint') this.failing = null;
          // Closed part-way through a page: the rest of it is not taken, as when iterating by events.
          if (subscription.isClosed?.()) break pages;
        }
      }
    } catch (error) {
      // The state may hold part of the event that failed: no checkpoint may take it (see `holdEvents`).
      this.broken = true;
      this.fail(error, 'apply');
      this.options.onError?.(error, current);
      this.scheduleRestart();
    } finally {
      this.wakeIdleWaiters();
    }
  }

  /**
   * Work the projection left for later (`Projection.settle`) is done a slice at a time on timer turns, never
   * during an apply or a checkpoint write, so events, requests and other projections take turns with it.
   */
  private scheduleSettle(): void {
    if (this.settleTimer !== undefined || this.stopping) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      if (this.applying || this.holding || this.settling) return this.scheduleSettle();
      this.settling = this.settleSlice().finally(() => (this.settling = undefined));
    }, 1);
    this.settleTimer.unref();
  }

  private async settleSlice(): Promise<void> {
    this.applying = true;
    try {
      await this.projection.settle?.();
      // The state moved without a new position: the next checkpoint saves it.
      this.sinceCheckpoint += 1;
    } catch (error) {
      this.options.onError?.(error, undefined);
    } finally {
      this.applying = false;
    }
    if (this.projection.unsettled?.()) this.scheduleSettle();
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

  private checkpointDue(): boolean {
    if (this.checkpointRetryAt > 0 && this.nowMs() < this.checkpointRetryAt) return false;
    return (
      (this.sinceCheckpoint >= this.options.checkpointEveryEvents ||
        this.nowMs() - this.lastCheckpointAt >= this.options.checkpointEveryMs) &&
      !this.tooSoonWhileBehind()
    );
  }

  /**
   * Replaying a backlog — events keep coming (the last within `REPLAYING_MS`) and the last one was recorded more
   * than `LIVE_LAG_MS` ago — and within the catch-up spacing of the last checkpoint (see
   * `RunnerOptions.catchUpCheckpointMinMs`): the replay goes on unheld. A projection with nothing left to replay
   * is not behind, however old its last event. The spacing is measured on the monotonic clock, so a wall clock
   * stepped back does not stop checkpoints.
   */
  private tooSoonWhileBehind(): boolean {
    if (this.lastRecordedAt === null) return false;
    const now = this.monotonicNow();
    if (now - this.lastEventAt > REPLAYING_MS) return false;
    if (this.nowMs() - Date.parse(this.lastRecordedAt) < LIVE_LAG_MS) return false;
    const spacing = Math.max(
      this.options.catchUpCheckpointMinMs ?? 5000,
      this.lastHeldMs / CATCH_UP_CHECKPOINT_SHARE,
    );
    return now - this.lastCheckpointEnded < spacing;
  }

  /**
   * Writes a checkpoint of what was processed, unless nothing was since the last one this process wrote (nor
   * since it last skipped a write to the lease's holder) or one is being written.
   */
  private checkpoint(): Promise<void> {
    if (this.position === null || (this.sinceCheckpoint === 0 && !this.unsavedSinceSkip))
      return Promise.resolve();
    this.checkpointing ??= this.writeCheckpoint()
      .then(
        () => {
          this.checkpointRetryAt = 0;
          if (this.failing?.phase === 'checkpoint') this.failing = null;
        },
        (error: unknown) => {
          // Abandoned after a failed apply: the restart from the last checkpoint replays what it lacked.
          if (error instanceof CheckpointAbandoned) return;
          // Tried again after the interval, not at the next event.
          this.checkpointRetryAt = this.nowMs() + this.options.checkpointEveryMs;
          this.fail(error, 'checkpoint');
          throw error;
        },
      )
      .finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  private async writeCheckpoint(): Promise<void> {
    const at = this.now();
    const started = performance.now();
    // Only for a skipped write: a written one counts what it took when it held events.
    const processed = this.sinceCheckpoint;
    const name = this.projection.name;
    const inParts = this.options.checkpointInParts !== false;
    const skip = () => {
      this.sinceCheckpoint -= processed;
      this.lastCheckpointAt = this.now().getTime();
      this.unsavedSinceSkip = true;
    };
    // The turn a checkpoint in parts begins on, asked for now: it comes before the turn the events' next slice
    // asks for, so a checkpoint that holds events (see `writeParts`) holds them from the next slice on.
    const firstTurn = nextTurn();
    const claim = await this.options.checkpointWriter?.claim();
    if (claim === 'none') {
      // Another process writes this checkpoint now; if this one takes over, it writes everything first.
      this.entriesSaved = false;
      return skip();
    }
    if (claim === 'new') this.entriesSaved = false;
    try {
      await this.writeClaimed(name, inParts, at, started, firstTurn);
    } catch (error) {
      // The subjects this write took as changed may not be saved: the next write saves them all.
      this.entriesSaved = false;
      if (this.options.checkpointWriter === undefined || !(error instanceof FencedError)) throw error;
      // Taken over while writing (the store refused it): the next claim says who writes.
      skip();
    }
  }

  private async writeClaimed(
    name: string,
    inParts: boolean,
    at: Date,
    started: number,
    firstTurn: Promise<unknown>,
  ): Promise<void> {
    const monotonicStart = this.monotonicNow();
    let position: Position;
    let processed: number;
    let blockedMs = 0;
    let heldMs = 0;
    let subjects: number | undefined;
    if (inParts && this.projection.checkpointParts) {
      const written = await this.writeParts(name, at, firstTurn);
      ({ blockedMs, heldMs, position, processed, subjects } = written);
      this.entriesSaved = true;
    } else {
      // Written whole or as one set of changes: event handling waits for the write.
      const release = await this.holdEvents();
      const heldFrom = performance.now();
      try {
        position = this.position!;
        processed = this.sinceCheckpoint;
        if (inParts && this.projection.snapshotChanges) {
          const all = !this.entriesSaved;
          const changes = this.projection.snapshotChanges(all);
          await this.checkpoints.saveChanges(name, position, changes, at, all);
          this.entriesSaved = true;
          subjects = changes.changes.length;
        } else {
          await this.checkpoints.save(name, position, this.projection.snapshot(), at);
        }
      } finally {
        release();
      }
      blockedMs = heldMs = performance.now() - heldFrom;
    }
    const durationMs = performance.now() - started;
    this.options.onCheckpoint?.({
      position,
      durationMs,
      blockedMs,
      heldMs,
      ...(subjects !== undefined && { subjects }),
    });
    this.sinceCheckpoint -= processed;
    this.unsavedSinceSkip = false;
    // On the monotonic clock the spacing is measured on (the hold is part of the write, so by default this is
    // the hold itself).
    this.lastHeldMs = Math.min(heldMs, this.monotonicNow() - monotonicStart);
    this.lastCheckpointEnded = this.monotonicNow();
    // The interval runs from the end of this write: a write longer than the interval (a whole snapshot of a
    // large state) is not followed by another at the very next event, for ever.
    this.lastCheckpointAt = this.now().getTime();
    this.checkpointedAt = at.toISOString();
  }

  /**
   * A checkpoint in parts, written while detection goes on (pre-copy, as a live migration copies memory):
   * the subjects changed since the last checkpoint are written a part at a time with the event loop free in
   * between, and events keep being applied meanwhile. Each round then takes the subjects those events changed
   * and writes them again; once what is left fits in one part (or after `PRE_COPY_ROUNDS` rounds), event
   * handling is held for a last round, and the checkpoint is committed at the position reached, with the head
   * as it is then. Every subject's newest row in the generation was written after its last change, so the
   * committed checkpoint is exactly the state at that position; event handling waits only for what changed
   * during the round before, not for the fleet. A projection that is behind (its last event recorded more than
   * `LIVE_LAG_MS` ago: a backlog, a rebuild) has no one waiting on the next event: its checkpoint holds events
   * from the start and writes each subject once, in parts with the event loop free in between.
   */
  private async writeParts(
    name: string,
    at: Date,
    firstTurn: Promise<unknown>,
  ): Promise<{
    position: Position;
    processed: number;
    blockedMs: number;
    heldMs: number;
    subjects: number;
  }> {
    const all = !this.entriesSaved;
    const budgetMs = this.options.checkpointPartMs ?? 5;
    const maxSize = this.options.checkpointPartSize ?? 5000;
    /** Subjects the last part took (what "fits in one part" means to the pre-copy rounds below; 100 at first). */
    let size = Math.min(maxSize, 100);
    /**
     * The part's time for building its entries: the rest goes to the store's call (the values' JSON for SQLite),
     * whose share of the part is learnt from the parts before.
     */
    let buildMs = budgetMs / 2;
    let blockedMs = 0;
    let subjects = 0;
    // Each part, the first included, on a turn of its own (the events just applied held the thread already).
    await firstTurn;
    const generation = await this.checkpoints.beginParts(name);
    const writeAll = async (keys: readonly string[], entry: (key: string) => unknown) => {
      let stretch = performance.now();
      // One part is written by the store (its worker thread, a database's round trip) while the next is built.
      let writing: Promise<void> | undefined;
      for (let i = 0; i < keys.length;) {
        // Subjects are added until the part's time is up, not by a size predicted from the last part: a GC or
        // a preemption then lengthens one part by its own pause, never a part sized for a faster moment.
        const partStarted = performance.now();
        const rows: Array<[string, unknown]> = [];
        const end = Math.min(keys.length, i + maxSize);
        while (i < end) {
          const key = keys[i++];
          rows.push([key, entry(key)]);
          if (performance.now() - partStarted >= buildMs) break;
        }
        const built = performance.now();
        const written = this.checkpoints.writePart(name, generation, rows);
        // Awaited below, after the previous part: a failure meanwhile is not an unhandled rejection.
        written.catch(() => undefined);
        // The thread's share of the part: what the store does after its call returns (a write on its worker
        // thread, a database's round trip) leaves the thread free.
        const partEnded = performance.now();
        blockedMs = Math.max(blockedMs, partEnded - stretch);
        const share = (built - partStarted) / Math.max(partEnded - partStarted, 1e-3);
        buildMs = (buildMs + budgetMs * Math.min(1, Math.max(0.1, share))) / 2;
        await writing;
        writing = written;
        size = rows.length;
        subjects += rows.length;
        if (i < keys.length) {
          await nextTurn();
          // An apply failed meanwhile: this checkpoint will not be committed (see `holdEvents`).
          if (this.broken) throw new CheckpointAbandoned();
          stretch = performance.now();
        }
      }
      await writing;
    };
    let parts = this.projection.checkpointParts!(all);
    // Behind (a backlog or a rebuild): no one waits for the next event, and writing a subject once beats
    // writing it in every round, so the events are held from the start.
    const live = this.lastRecordedAt !== null && this.nowMs() - Date.parse(this.lastRecordedAt) < LIVE_LAG_MS;
    // Events go in short slices while rounds are copied beside them, and in full slices again once the rounds
    // end, whether they ended or failed.
    this.preCopying = live;
    try {
      for (let round = 1; live && round < PRE_COPY_ROUNDS && parts.keys.length > size; round++) {
        const written = parts.keys.length;
        await writeAll(parts.keys, parts.entry);
        // What the events applied meanwhile changed (the projection's state goes on between parts).
        await nextTurn();
        parts = this.projection.checkpointParts!(false);
        // Not converging (a backlog replayed faster than it is written): the last round comes now.
        if (parts.keys.length > written / 2) break;
      }
    } finally {
      this.preCopying = false;
    }
    const release = await this.holdEvents();
    const heldFrom = performance.now();
    try {
      // Nothing is applied from here to the commit: the position and the head are those of the state written.
      const position = this.position!;
      const processed = this.sinceCheckpoint;
      const last = this.projection.checkpointParts!(false);
      await writeAll(parts.keys, parts.entry);
      await writeAll(last.keys, last.entry);
      await this.checkpoints.drain();
      const stretch = performance.now();
      const committed = this.checkpoints.commitParts(name, generation, position, last.head, at, all);
      blockedMs = Math.max(blockedMs, performance.now() - stretch);
      await committed;
      return { position, processed, blockedMs, heldMs: performance.now() - heldFrom, subjects };
    } finally {
      release();
    }
  }

  /**
   * Holds event handling (and deferred work) until the returned release is called: resolves once the event or
   * slice being applied, if any, is done.
   */
  private async holdEvents(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.holding = held.finally(() => (this.holding = undefined));
    await this.inFlight?.catch(() => undefined);
    await this.settling;
    // What the applies wrote without waiting is stored before the position passes them.
    const written = (await this.projection.flush?.(FLUSH_WAIT_MS)) ?? true;
    if (this.broken || !written) {
      release();
      throw new CheckpointAbandoned();
    }
    return release;
  }

  private wakeIdleWaiters(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** The subscription's pages, or its events one to a page where it offers no pages. */
function pagesOf(subscription: Subscription): AsyncIterable<readonly StoredEvent[]> {
  if (subscription.pages) return subscription.pages();
  return {
    async *[Symbol.asyncIterator]() {
      for await (const event of subscription) yield [event];
    },
  };
}
