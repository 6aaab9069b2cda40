import type { EventStore, Position } from '@aidwatch/event-store';
import { ReadModelProjection, type CheckpointStore, type Projection } from '@aidwatch/projections';
import { readAllInPages } from './store-reading';

export interface RebuildProgress {
  events: number;
  /** Share of the store's positions covered so far (0–1), for an ETA. */
  ratio: number;
  eventsPerSecond: number;
  position: Position | null;
}

export interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  position: Position | null;
}

/** The leading number of a position (`17`, or the commit of KurrentDB's `commit/prepare`). */
const magnitude = (position: Position): number => Number(position.split('/')[0]);

/**
 * Feeds a fresh projection every event it reads, from position zero up to `to` (the head when the rebuild
 * started), a page at a time. Reports progress every `every` events and at the end.
 */
export async function rebuildFromZero(
  store: EventStore,
  projection: Projection,
  options: {
    to: Position | null;
    onProgress?: (progress: RebuildProgress) => void;
    every?: number;
    clock?: () => number;
  },
): Promise<RebuildResult> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  projection.reset();
  let events = 0;
  let position: Position | null = null;
  const total = options.to === null ? 0 : magnitude(options.to);
  const report = () => {
    const seconds = (clock() - started) / 1000;
    options.onProgress?.({
      events,
      ratio: total > 0 && position !== null ? Math.min(1, magnitude(position) / total) : 1,
      eventsPerSecond: seconds > 0 ? events / seconds : 0,
      position,
    });
  };
  if (options.to !== null) {
    for await (const event of readAllInPages(store, {
      filter: projection.filter,
      to: options.to,
      pageSize: 2000,
    })) {
      await projection.apply(event);
      position = event.position;
      if (++events % (options.every ?? 1000) === 0) report();
    }
  }
  // What the projection left for later (a large fan-out of detection) is done before the rebuild ends.
  while (projection.unsettled?.()) await projection.settle?.();
  // And what its applies wrote without waiting (detection's flags) is stored.
  if (projection.flush && !(await projection.flush(60_000)))
    throw new Error(`${projection.name}: its writes were not stored within a minute`);
  report();
  const seconds = (clock() - started) / 1000;
  return { events, seconds, eventsPerSecond: seconds > 0 ? events / seconds : 0, position };
}

/** Reads the same events without applying them: the store's raw read speed, the baseline of a rebuild. */
export async function rawReadSpeed(
  store: EventStore,
  projection: Projection,
  to: Position | null,
  clock: () => number = () => performance.now(),
): Promise<RebuildResult> {
  const started = clock();
  let events = 0;
  let position: Position | null = null;
  if (to !== null)
    for await (const event of readAllInPages(store, { filter: projection.filter, to, pageSize: 2000 })) {
      events++;
      position = event.position;
    }
  const seconds = (clock() - started) / 1000;
  return { events, seconds, eventsPerSecond: seconds > 0 ? events / seconds : 0, position };
}

/** Brings a restored projection from its checkpoint position up to `to`. */
export async function catchUp(
  store: EventStore,
  projection: Projection,
  from: Position | null,
  to: Position | null,
): Promise<void> {
  if (to === null) return;
  for await (const event of readAllInPages(store, {
    after: from ?? undefined,
    filter: projection.filter,
    to,
  }))
    await projection.apply(event);
  while (projection.unsettled?.()) await projection.settle?.();
  if (projection.flush && !(await projection.flush(60_000)))
    throw new Error(`${projection.name}: its writes were not stored within a minute`);
}

/** One way two read models differ. */
export interface ReadModelDifference {
  /** `consignment <id>`, `flag <id>`, … */
  subject: string;
  live: unknown;
  rebuilt: unknown;
}

/** Every consignment document and every flag record of two read models, compared; empty when equal. */
export function compareReadModels(
  live: ReadModelProjection,
  rebuilt: ReadModelProjection,
): ReadModelDifference[] {
  const differences: ReadModelDifference[] = [];
  const ids = new Set([...live.consignmentIds(), ...rebuilt.consignmentIds()]);
  for (const id of [...ids].sort()) {
    const a = live.consignment(id);
    const b = rebuilt.consignment(id);
    if (JSON.stringify(a) !== JSON.stringify(b))
      differences.push({ subject: `consignment ${id}`, live: a, rebuilt: b });
  }
  const flags = (p: ReadModelProjection) =>
    new Map(p.flags.query({ limit: Number.MAX_SAFE_INTEGER }).items.map((r) => [r.flag.flagId, r]));
  const [a, b] = [flags(live), flags(rebuilt)];
  for (const flagId of new Set([...a.keys(), ...b.keys()])) {
    const [x, y] = [a.get(flagId), b.get(flagId)];
    const strip = (r: typeof x) => r && { status: r.status, clearedAt: r.clearedAt, flag: r.flag };
    if (JSON.stringify(strip(x)) !== JSON.stringify(strip(y)))
      differences.push({ subject: `flag ${flagId}`, live: strip(x), rebuilt: strip(y) });
  }
  return differences;
}

/**
 * Blue/green versions of the read model in the checkpoint store: each version is checkpointed under its own
 * name, and the active version is what a running API serves. A rebuild writes a new version beside the
 * live one, then makes it active; the API notices and switches (ReadModelService).
 */
export const READ_MODEL = 'read-model-v3';

export async function liveReadModel(checkpoints: CheckpointStore): Promise<ReadModelProjection> {
  return new ReadModelProjection(await checkpoints.activeVersion(READ_MODEL));
}
