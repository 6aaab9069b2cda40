import type { InputClock, InputClockJson } from './input-clock';
import type { InputLanes } from './input-lanes';

/** What a restore sets of the input clocks (`InputClocks` is this). */
export interface RestoredClocks {
  readonly byId: ReadonlyMap<string, InputClock>;
  readonly closedSources: Map<string, number>;
  readonly lanes: InputLanes;
  readonly idleMs: number;
  frontier: number;
  input(id: string): InputClock;
  isDelivering(input: InputClock): boolean;
  isIdle(input: InputClock): boolean;
  noteAhead(input: InputClock): void;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The inputs as plain JSON (checkpoints), with what `lanes` knows of each input's lane. */
export function inputClocksToJson(inputs: Iterable<InputClock>, lanes: InputLanes): InputClockJson[] {
  return [...inputs].map((input) => {
    const { id, lane, watermark, delivered, othersSince, ahead, idle, events, late, closed } = input;
    return {
      id,
      watermark: finiteOrNull(watermark),
      ...(delivered < watermark ? { delivered: finiteOrNull(delivered) } : {}),
      othersSince: finiteOrNull(othersSince),
      ahead: Object.fromEntries([...ahead].map(([other, { lo, hi }]) => [other.id, [lo, hi]])),
      ...(idle ? { idle: true as const } : {}),
      events,
      late,
      ...(closed ? { closed: true as const } : {}),
      ...(lanes.delivering.has(lane) ? { delivering: true as const } : {}),
      ...(lanes.heads.get(lane) === input ? { head: true as const } : {}),
      ...(lanes.stopped.has(lane) ? { stopped: true as const } : {}),
    };
  });
}

/**
 * Sets the inputs saved by `InputClocks.toJSON` (into fresh clocks, keeping their order). An input saved without
 * `ahead` (an older checkpoint) is idle when the others' events since its last one passed its watermark
 * by the idle bound, as that version judged; one that is not counts as having last spoken now (where the
 * others stand at the restore), so it is released only after the others move the idle bound on. Without
 * `closedSources` (an older checkpoint), each closed input's source counts as closed at its watermark.
 */
export function restoreInputClocks(
  clocks: RestoredClocks,
  json: readonly InputClockJson[],
  closedSources?: Readonly<Record<string, number>>,
): void {
  for (const [source, at] of Object.entries(closedSources ?? {})) clocks.closedSources.set(source, at);
  const older: InputClock[] = [];
  for (const saved of json) {
    const input = clocks.input(saved.id);
    input.watermark = saved.watermark ?? Number.NEGATIVE_INFINITY;
    input.delivered =
      saved.delivered === undefined ? input.watermark : (saved.delivered ?? Number.NEGATIVE_INFINITY);
    input.othersSince = saved.othersSince ?? Number.NEGATIVE_INFINITY;
    input.events = saved.events;
    input.late = saved.late;
    input.closed = saved.closed === true;
    if (saved.delivering === true && input.lane !== '') clocks.lanes.delivering.add(input.lane);
    if (saved.head === true && input.lane !== '') clocks.lanes.heads.set(input.lane, input);
    if (saved.stopped === true && input.lane !== '') clocks.lanes.stopped.add(input.lane);
    if (input.closed && closedSources === undefined) {
      const at = clocks.closedSources.get(input.source);
      if (at === undefined || input.watermark > at) clocks.closedSources.set(input.source, input.watermark);
    }
    if (saved.ahead === undefined) {
      input.idle =
        !input.closed && !clocks.isDelivering(input) && input.othersSince - clocks.idleMs > input.watermark;
      if (!input.idle) older.push(input);
    } else input.idle = saved.idle === true;
    if (input.watermark > clocks.frontier) clocks.frontier = input.watermark;
  }
  for (const saved of json)
    for (const [id, [lo, hi]] of Object.entries(saved.ahead ?? {})) {
      const other = clocks.byId.get(id);
      if (other) clocks.input(saved.id).ahead.set(other, { lo, hi });
    }
  for (const input of older) clocks.noteAhead(input);
  for (const input of clocks.byId.values()) input.released = clocks.isIdle(input);
}
