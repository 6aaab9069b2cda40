import type { InputClock, InputClocks } from '../input-clocks';
import { InputQueues } from '../input-queues';
import type { ConsignmentInputs } from './consignment-inputs';
import { DeadlineQueue } from './deadline-queue';

/**
 * When each consignment must be judged again (ms, event time), waiting in the queue of the input holding its
 * clock back (its home, `InputClocks.holding` over `ConsignmentInputs.forClock`).
 */
export class ConsignmentDeadlines {
  /** Per input, the consignments whose clock it holds, by the time they must be judged again. */
  private readonly queues: InputQueues<string, DeadlineQueue>;
  /** The time each waiting consignment must be judged again (ms), and the input whose queue holds it. */
  private readonly due = new Map<string, { at: number; home: InputClock }>();

  constructor(
    private readonly clocks: InputClocks,
    private readonly inputs: ConsignmentInputs,
  ) {
    this.queues = new InputQueues(clocks, () => new DeadlineQueue());
  }

  /** How many consignments wait. */
  get size(): number {
    return this.due.size;
  }

  /** When the consignment must be judged again (ms); undefined when it waits for nothing. */
  dueAt(consignmentId: string): number | undefined {
    return this.due.get(consignmentId)?.at;
  }

  /** Waits for `at` (ms) in the queue of the input holding the consignment's clock back (Infinity: no wait). */
  schedule(consignmentId: string, at: number): void {
    const previous = this.due.get(consignmentId);
    if (previous) this.queues.get(previous.home)?.schedule(consignmentId, Number.POSITIVE_INFINITY);
    const home = this.clocks.holding(this.inputs.forClock(consignmentId));
    if (!Number.isFinite(at) || !home) {
      this.due.delete(consignmentId);
      return;
    }
    this.due.set(consignmentId, { at, home });
    this.queues.of(home).schedule(consignmentId, at);
  }

  /**
   * The source `source` ended at `at` (ms; `aidwatch.input.closed.v1`, come by `lane`; an import of a
   * programme's old paperwork): from now on the consignments of its inputs — every partition its events came
   * by — are judged on their own clocks, never released to the other inputs' (see `InputClocks.close`).
   * Consignments waiting on those inputs that an open input of their exemption also reports follow that input
   * now. `announced`: the source said beforehand that its events end at `at` (`aidwatch.input.bounded.v1`,
   * see `InputClocks.bound`): closed alike, no watermark moved. Returns the inputs whose queues are to be
   * judged (none when `at` is not finite).
   */
  closeSource(source: string, at: number, lane?: string, announced = false): Set<InputClock> {
    if (!Number.isFinite(at)) return new Set();
    const inputs = announced ? this.clocks.bound(source, at) : this.clocks.close(source, at, lane);
    const homes = new Set<InputClock>(inputs);
    this.release(inputs, homes);
    return homes;
  }

  /**
   * The consignments waiting on `released` (inputs idle, closed or no longer heading a lane) wait where their
   * clocks are held back now; the inputs they wait on are added to `homes`.
   */
  release(released: Iterable<InputClock>, homes: Set<InputClock>): void {
    this.queues.release(released, (consignmentId) => {
      const waiting = this.due.get(consignmentId);
      if (!waiting) return;
      this.schedule(consignmentId, waiting.at);
      const home = this.due.get(consignmentId)?.home;
      if (home) homes.add(home);
    });
  }

  /** The inputs with a queue, by input id. */
  inputsById(): InputClock[] {
    return this.queues.inputsById();
  }

  /**
   * The consignments waiting on `input` whose time its effective watermark reached, each with that time
   * (ms), sorted by id; taken out of the queue (scheduled again, or judged, by the caller).
   */
  takeDue(input: InputClock): Array<{ consignmentId: string; at: number }> {
    const ready: Array<{ consignmentId: string; at: number }> = [];
    for (const consignmentId of this.queues.takeDue(input)) {
      const waiting = this.due.get(consignmentId);
      if (waiting) ready.push({ consignmentId, at: waiting.at });
    }
    return ready;
  }
}
