import { randomUUID } from 'node:crypto';
import { inputQuietEvent } from '@aidwatch/domain';
import { appendMarker } from './append-marker';
import type { EventStore } from '@aidwatch/event-store';

/** `quietMs`: how long an AIS source must have sent nothing for its marker (ms, `HTTP_INPUT_QUIET_MS`). */
export interface InputQuietOptions {
  quietMs: number;
  /** Wall clock (epoch ms); `Date.now` by default. */
  now?: () => number;
}

/**
 * Writes `aidwatch.input.quiet.v1` for AIS sources heard over HTTP, UDP or TCP (docs/time-model.md 7): each
 * accepted batch re-arms one timer per source it carried; a source that then sends nothing for `quietMs` gets
 * one marker, and the next report re-arms it. Timers never keep the process alive; `stop()` writes the
 * markers still pending at shutdown. After a crash those are not written: a replayed track's run then ends
 * at its source's next quiet period (or the late horizon).
 * Each marker's outcome goes to `onWritten`; one that cannot be appended is not retried.
 */
export class InputQuietWatch {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; lastAt: number }>();
  private readonly now: () => number;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: InputQuietOptions,
    private readonly onWritten: (ok: boolean, error?: unknown) => void = () => undefined,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The sources of `events` were heard now. */
  heard(sources: Iterable<string>): void {
    if (this.stopped) return;
    const at = this.now();
    for (const source of sources) {
      const armed = this.timers.get(source);
      if (armed) {
        armed.lastAt = at;
        armed.timer.refresh();
        continue;
      }
      const timer = setTimeout(() => this.fire(source), this.options.quietMs);
      timer.unref();
      this.timers.set(source, { timer, lastAt: at });
    }
  }

  /** Sources waiting for their quiet period to pass. */
  get armed(): number {
    return this.timers.size;
  }

  /**
   * Stops at shutdown: every source still waiting for its quiet period gets its marker now (this intake
   * receives nothing more, so what they sent through it is all there is), then no more is written. Resolves
   * once those markers are appended or failed. Without it a late track posted just before a restart would
   * stay judged fix to fix until its source's next quiet period.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const pending = [...this.timers.keys()];
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    await Promise.all(pending.map((source) => this.fire(source, true)));
  }

  private fire(source: string, stopping = false): Promise<void> {
    const armed = this.timers.get(source);
    if (!armed || (this.stopped && !stopping)) return Promise.resolve();
    this.timers.delete(source);
    const at = this.now();
    const { streamId, event } = inputQuietEvent(source, at, at - armed.lastAt, randomUUID());
    // Not an event received: AidWatch's own marker (no lane, no partition).
    return appendMarker(this.store, streamId, event, { channel: 'marker' }).then(
      () => this.onWritten(true),
      (error: unknown) => this.onWritten(false, error),
    );
  }
}
