import type { AidEvent, Flag } from '@aidwatch/domain';
import type { DetectionEngine } from '../detection-engine';
import type { FlagChanges } from '../open-flags';
import type { Delivered } from './delivery-lanes';
import { PositionLog } from './position-log';

/** A flag as property tests compare it: rule, subject and id. */
export const flagLine = (f: Flag): string => `${f.rule} ${f.subject.kind}:${f.subject.id} ${f.flagId}`;

/**
 * A flag with all it says of its episode: rule, subject, id, evidence, the time it is dated and everything
 * observed (an encounter's hours, its partner's name) — what two deliveries must agree on beyond the id — and,
 * for a vessel flag, its explanation: vessels are named as they were named at the flag's time, whenever a
 * renaming arrived. A consignment flag's explanation is left out: it names sites and ports by the paperwork
 * known when the flag was raised ("site KP-…" before the exemption's grant arrived, the site's name after),
 * and a flag is not raised again for wording alone.
 */
export const flagDetail = (f: Flag): string =>
  `${flagLine(f)} ${f.evidence.join(',')} ${f.raisedAt} ${JSON.stringify(f.observed)}` +
  (f.subject.kind === 'vessel' ? ` ${f.explanation}` : '');

/**
 * Feeds an engine and keeps what property tests compare: the open flags at the end and every flag raised on
 * the way (as `lineOnTheWay` writes them). `restartAt` (an index into `events`) continues in an engine
 * restored from a JSON snapshot: whole, or (`incremental`) assembled from the head and the entries of the
 * subjects changed after each event, as the detection projection checkpoints. `onRaised` hears each flag
 * raised while `events` are fed, with the index of the event being fed (`events.length` for the end).
 */
export function runDelivery(
  start: () => DetectionEngine,
  restore: (snapshot: unknown) => DetectionEngine,
  prelude: readonly AidEvent[],
  events: readonly Delivered[],
  horizon: number,
  restartAt = -1,
  lineOnTheWay: (f: Flag) => string = flagLine,
  checkpoints: 'whole' | 'incremental' = 'whole',
  onRaised?: (flag: Flag, index: number) => void,
): { open: string[]; openDetail: string[]; raisedOnTheWay: Set<string> } {
  let engine = start();
  const open = new Map<string, Flag>();
  const raisedOnTheWay = new Set<string>();
  let index = -1;
  const apply = (c: FlagChanges) => {
    for (const f of c.raised) {
      if (index >= 0) onRaised?.(f, index);
      open.set(f.flagId, f);
      raisedOnTheWay.add(lineOnTheWay(f));
    }
    for (const f of c.cleared) open.delete(f.flagId);
  };
  // The positions delivered so far: the history late paperwork's corridor replays read (time model 9).
  const history = new PositionLog();
  const fold = (event: AidEvent, lane?: string, pending?: number) => {
    apply(engine.handle(event, lane, pending));
    history.record(event);
    apply(engine.replayRoutes(history));
  };
  // Incremental checkpoints, as the detection projection writes them: the changed subjects' entries.
  const entries = new Map<string, unknown>();
  const checkpoint = () => {
    for (const key of engine.takeChangedKeys()) {
      const entry = engine.entry(key);
      if (entry === undefined) entries.delete(key);
      else entries.set(key, JSON.parse(JSON.stringify(entry)) as unknown);
    }
  };
  for (const e of prelude) fold(e);
  if (checkpoints === 'incremental') engine.markAllChanged();
  events.forEach(({ event, lane, pending }, i) => {
    if (i === restartAt)
      engine = restore(
        checkpoints === 'whole'
          ? (JSON.parse(JSON.stringify(engine.snapshot())) as unknown)
          : (JSON.parse(
              JSON.stringify({ head: engine.head(), entries: Object.fromEntries(entries) }),
            ) as unknown),
      );
    index = i;
    fold(event, lane, pending);
    if (checkpoints === 'incremental') checkpoint();
  });
  index = events.length;
  apply(engine.advanceWatermark(horizon));
  return {
    open: [...open.values()].map(flagLine).sort(),
    openDetail: [...open.values()].map(flagDetail).sort(),
    raisedOnTheWay,
  };
}
