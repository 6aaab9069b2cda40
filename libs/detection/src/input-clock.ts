/**
 * The clock of one input: a CloudEvents `source` (an AIS feed's NMEA events carry `nmea:<station>`), or that
 * source on one lane (`<source> <lane>`, see `inputIdOf`). Its watermark is the newest event time it has
 * delivered (ms); it never moves back.
 */
export interface InputClock {
  readonly id: string;
  /** The CloudEvents `source` it counts events of. */
  readonly source: string;
  /** The lane its events came by (`<topic>/<partition>`), '' for events that came by none. */
  readonly lane: string;
  watermark: number;
  /**
   * The newest event time it delivered itself (ms), or its close said it covered (`close`): its watermark
   * without what caught-up markers moved it by (`caughtUp`, a guess from the source's other partitions). A
   * vessel is forgotten only once its own inputs delivered past its eviction time (`MaritimeDetector`): a
   * marker's guess that a partition has passed a time is no proof that the vessel's next report, still to
   * come on it, is not earlier.
   */
  delivered: number;
  /**
   * The newest event time the other inputs of its lane (any, without a lane; where every input's events count,
   * any — but for a consignment feed on a partition that has not stopped, its own lane's only, see
   * `waitsForQuiet`) delivered since its last event: an idle input's clock follows it, the idle bound behind.
   */
  othersSince: number;
  /**
   * The other inputs of its lane that stood ahead of it at its last event, each with the event time it has
   * covered since (`lo`..`hi`, ms; its watermark then included): such an input makes it idle only once it
   * covered more than the idle bound — it moved on (or, delivering out of order, its events spread) that
   * far. One not listed stood level or behind, or appeared since: its events count from this input's
   * watermark.
   */
  readonly ahead: Map<InputClock, Span>;
  /** Whether it is idle: silent while another input's event time moved on by the idle bound (see `InputClocks`). */
  idle: boolean;
  /** Events delivered, and those older than the watermark minus the allowed lateness when they came. */
  events: number;
  late: number;
  /** Set once its idleness was acted on (its waiting subjects re-homed); cleared by its next event. */
  released: boolean;
  /**
   * Its source was closed by its producer (`aidwatch.input.closed.v1`, see `InputClocks.close`): it is never
   * idle and holds back no subject another input reports. Cleared when the source reopens.
   */
  closed: boolean;
}

/** The event time an input covered (ms). */
export interface Span {
  lo: number;
  hi: number;
}

export interface InputClockJson {
  id: string;
  watermark: number | null;
  /** `InputClock.delivered`, present only when behind the watermark (absent: equal to it; older checkpoints). */
  delivered?: number | null;
  othersSince: number | null;
  /**
   * `ahead` by input id, `[lo, hi]` (ms). Absent in checkpoints written before it was kept: such an input
   * counts as having last spoken when the checkpoint is restored.
   */
  ahead?: Record<string, [number, number]>;
  /** Present (true) only for an idle input (with `ahead`: a checkpoint that lacks it judges by `othersSince`). */
  idle?: true;
  events: number;
  late: number;
  /** Present (true) only for a closed input. */
  closed?: true;
  /**
   * Present (true) only while the newest event of its lane (any source's) came with records pending on the
   * partition (see `InputClocks.observe`); absent in older checkpoints: none pending.
   */
  delivering?: true;
  /**
   * Present (true) only for the input whose event is the newest its lane delivered, where lanes' heads are
   * followed (`idleScope` `all`); it holds consignments back while the lane is `delivering` (see
   * `InputClocks.deliveringHeads`). Absent in older checkpoints: no head known.
   */
  head?: true;
  /**
   * Present (true) only where its lane's latest caught-up marker said it stopped delivering and it delivered
   * nothing since (`idleScope` `all`, see `InputClocks.waitsForQuiet`); absent in older checkpoints.
   */
  stopped?: true;
}

/**
 * The input an event counts for: its CloudEvents `source`, or — when it came by a lane (a Kafka partition,
 * `<topic>/<partition>`) — that source on that lane, `<source> <lane>` (a source, a URI-reference, holds no
 * space). Partitions of one topic are consumed at different speeds; a watermark per lane keeps a partition
 * running ahead from moving the clock of subjects whose reports sit on another.
 */
export function inputIdOf(source: string, lane?: string): string {
  return lane === undefined ? source : `${source} ${lane}`;
}

/** The source of an input id made by `inputIdOf`. */
export function sourceOfInputId(id: string): string {
  const space = id.indexOf(' ');
  return space < 0 ? id : id.slice(0, space);
}

/** The lane of an input id made by `inputIdOf`, '' when it has none. */
export function laneOfInputId(id: string): string {
  const space = id.indexOf(' ');
  return space < 0 ? '' : id.slice(space + 1);
}
