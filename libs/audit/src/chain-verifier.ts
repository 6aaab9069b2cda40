import { chainHash, chainLinkOf, unchainedMetadata } from '@aidwatch/event-store';
import type { CheckpointData } from './audit-checkpoint';
import { merkleRoot } from './merkle';

/** An event as the verifier needs it, from the store or from an export line. */
export interface ChainedEvent {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  /** With its `chain` link. */
  metadata: Record<string, unknown>;
  position?: string;
}

export interface BrokenLink {
  streamId: string;
  revision: number;
  eventId: string;
  position?: string;
  /** Line of an export file (1-based), when verifying one. */
  line?: number;
  /** The archive file the event was read from, when it was (retention). */
  file?: string;
  reason: string;
}

export interface VerificationReport {
  ok: boolean;
  events: number;
  streams: number;
  checkpoints: number;
  /** Root of the newest checkpoint verified, to compare with a published one. */
  latestRoot: string | null;
  /** The first broken link in store (or file) order. */
  firstBroken: BrokenLink | null;
  broken: number;
  /**
   * Revisions missing from the chains that retention records account for (moved to archive files that were
   * not read): accepted gaps, whose links could not be checked. 0 when nothing was archived or every archive
   * was read back.
   */
  archived: number;
}

/** What retention records say was archived (see ArchivedRevisions). */
export interface ArchivedGaps {
  /** True when every revision `from`…`to` of the stream was recorded as archived. */
  covers(streamId: string, from: number, to: number): boolean;
}

/**
 * Checks hash chains event by event, in store order (an `evolve` over the events). Per stream it keeps the
 * last revision and hash only, so memory grows with the number of streams, not events. A chain breaks where
 * an event's content no longer hashes to its link, its `previous` is not the hash of the event before it,
 * a revision is missing (a deleted event) unless retention records say exactly those revisions were
 * archived (`archived`), or a checkpoint names a different head.
 */
export class ChainVerifier {
  private readonly last = new Map<string, { revision: number; hash: string }>();
  /** `streamId \0 revision` → the hash a checkpoint recorded, and which checkpoint. */
  private readonly anchored = new Map<string, { hash: string; checkpoint: string }>();
  private events = 0;
  private checkpoints = 0;
  private broken = 0;
  private firstBroken: BrokenLink | null = null;
  private latestRoot: string | null = null;
  private archived = 0;

  /**
   * `allowGaps`: streams only partly present (an export of some of a stream's events). `archived`: the
   * revisions retention records say were moved to archive files; a gap is accepted only when it records every
   * missing revision.
   */
  constructor(
    private readonly options: { allowGaps?: (streamId: string) => boolean; archived?: ArchivedGaps } = {},
  ) {}

  /**
   * A checkpoint whose heads the events will be held to. Returns false (and records a break) when its root
   * is not the Merkle root of its heads.
   */
  expectCheckpoint(checkpoint: CheckpointData, event: ChainedEvent, line?: number): boolean {
    this.checkpoints++;
    const heads = checkpoint.heads.map(([streamId, revision, hash]) => ({ streamId, revision, hash }));
    if (merkleRoot(heads) !== checkpoint.root || heads.length !== checkpoint.streams) {
      this.fail(event, 'checkpoint root is not the Merkle root of its stream heads', line);
      return false;
    }
    for (const h of heads)
      this.anchored.set(`${h.streamId}\0${h.revision}`, { hash: h.hash, checkpoint: event.id });
    this.latestRoot = checkpoint.root;
    return true;
  }

  evolve(event: ChainedEvent, line?: number, file?: string): void {
    this.events++;
    const link = chainLinkOf(event.metadata);
    const before = this.last.get(event.streamId);
    if (!link) {
      this.fail(event, 'no chain link (stored before chaining, or its metadata was edited)', line, file);
      return;
    }
    this.last.set(event.streamId, { revision: event.revision, hash: link.hash });
    const recomputed = chainHash(link.previous, { ...event, metadata: unchainedMetadata(event.metadata) });
    if (recomputed !== link.hash) {
      this.fail(
        event,
        `content does not hash to its chain link (expected ${link.hash}, got ${recomputed})`,
        line,
        file,
      );
      return;
    }
    const expectedRevision = before ? before.revision + 1 : 0;
    const contiguous = event.revision === expectedRevision;
    if (!contiguous) {
      const ahead = event.revision > expectedRevision;
      const partial = ahead && this.options.allowGaps?.(event.streamId) === true;
      const archived =
        ahead &&
        !partial &&
        this.options.archived?.covers(event.streamId, expectedRevision, event.revision - 1);
      if (archived) this.archived += event.revision - expectedRevision;
      else if (!partial) {
        this.fail(
          event,
          `revision ${event.revision} follows ${expectedRevision - 1}: events are missing`,
          line,
          file,
        );
        return;
      }
    }
    if (contiguous && link.previous !== (before?.hash ?? null)) {
      this.fail(
        event,
        `previous hash ${link.previous} is not the hash of revision ${event.revision - 1}`,
        line,
        file,
      );
      return;
    }
    const anchor = this.anchored.get(`${event.streamId}\0${event.revision}`);
    if (anchor && anchor.hash !== link.hash) {
      this.fail(event, `hash differs from the head recorded by checkpoint ${anchor.checkpoint}`, line, file);
    }
  }

  /** Heads a checkpoint anchored but the events never reached (a truncated stream or export). */
  unreachedAnchors(scopeStreams?: ReadonlySet<string>): string[] {
    const missing: string[] = [];
    for (const key of this.anchored.keys()) {
      const [streamId, revision] = key.split('\0');
      if (scopeStreams && !scopeStreams.has(streamId)) continue;
      const last = this.last.get(streamId);
      if (!last || last.revision < Number(revision)) missing.push(`${streamId}@${revision}`);
    }
    return missing;
  }

  fail(
    event: Pick<ChainedEvent, 'streamId' | 'revision' | 'id' | 'position'>,
    reason: string,
    line?: number,
    file?: string,
  ): void {
    this.broken++;
    this.firstBroken ??= {
      streamId: event.streamId,
      revision: event.revision,
      eventId: event.id,
      ...(event.position !== undefined && { position: event.position }),
      ...(line !== undefined && { line }),
      ...(file !== undefined && { file }),
      reason,
    };
  }

  report(): VerificationReport {
    return {
      ok: this.broken === 0,
      events: this.events,
      streams: this.last.size,
      checkpoints: this.checkpoints,
      latestRoot: this.latestRoot,
      firstBroken: this.firstBroken,
      broken: this.broken,
      archived: this.archived,
    };
  }
}
