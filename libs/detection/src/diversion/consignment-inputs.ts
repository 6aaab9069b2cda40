import type { InputClock, InputClocks } from '../input-clocks';
import type { DiversionState } from './diversion-state';

/**
 * The inputs each consignment's clock follows. A consignment is reported by inputs (CloudEvents sources, per
 * Kafka partition); its clock is the watermark of the inputs of its family — the consignments of its
 * exemption (an aid programme's logistics, field and monitoring feeds), or an unregistered consignment alone
 * — by `InputClocks`' rule, with the inputs heading partitions still delivering (`forClock`).
 */
export class ConsignmentInputs {
  /** The inputs that reported each consignment, in the order they first did. */
  private readonly inputsOf = new Map<string, InputClock[]>();
  /**
   * The inputs of each family (`familyOf`), in input id order; kept up to date as consignments join and
   * report, worked out afresh when one leaves.
   */
  private readonly familyInputs = new Map<string, InputClock[]>();

  constructor(
    private readonly state: DiversionState,
    private readonly clocks: InputClocks,
  ) {}

  /** The ids of the inputs that reported the consignment, sorted. */
  idsOf(consignmentId: string): string[] {
    return (this.inputsOf.get(consignmentId) ?? []).map((i) => i.id).sort();
  }

  /**
   * The consignment's event was folded, its family `familyBefore` before (see `familyOf`), by `input`. The
   * family it left may have lost inputs: worked out afresh when next asked (rare: a registration corrected to
   * another exemption, or an unregistered consignment's own family, no longer used). The family it joined
   * gains its inputs in place: working it out afresh would walk every consignment of the exemption at each
   * registration, quadratic in a programme's size.
   */
  folded(consignmentId: string, familyBefore: string, input: InputClock): void {
    const family = this.familyOf(consignmentId);
    if (family !== familyBefore) {
      this.familyInputs.delete(familyBefore);
      const joined = this.familyInputs.get(family);
      if (joined) for (const known of this.inputsOf.get(consignmentId) ?? []) addInput(joined, known);
    }
    this.reportedBy(consignmentId, input);
  }

  /** The consignment's family: `exemption:<id>` once registered under an exemption, else `consignment:<id>`. */
  familyOf(consignmentId: string): string {
    const exemptionId = this.state.exemptionIdOf(consignmentId);
    return exemptionId === undefined ? `consignment:${consignmentId}` : `exemption:${exemptionId}`;
  }

  /**
   * The inputs a consignment's clock is the minimum of: those of its family (`ofFamily`), and the
   * inputs heading the Kafka partitions still delivering records already pending (`InputClocks.deliveringHeads`:
   * a monitors' or field partition whose first records were fetched while a burst of another topic is
   * consumed may bring this consignment's verification or discharge, whichever programmes it reported so far).
   */
  forClock(consignmentId: string): InputClock[] {
    const inputs = this.ofFamily(consignmentId);
    const heads = this.clocks.deliveringHeads();
    if (heads.length === 0) return inputs;
    const all = [...inputs];
    for (const head of heads) if (!all.includes(head)) all.push(head);
    return all;
  }

  private ofFamily(consignmentId: string): InputClock[] {
    const family = this.familyOf(consignmentId);
    let inputs = this.familyInputs.get(family);
    if (!inputs) {
      const members = family.startsWith('exemption:')
        ? this.state.membersOf(family.slice('exemption:'.length))
        : [consignmentId];
      inputs = [];
      for (const c of members) for (const input of this.inputsOf.get(c) ?? []) addInput(inputs, input);
      this.familyInputs.set(family, inputs);
    }
    return inputs;
  }

  reportedBy(consignmentId: string, input: InputClock): void {
    const inputs = this.inputsOf.get(consignmentId);
    if (inputs?.includes(input)) return;
    if (!inputs) this.inputsOf.set(consignmentId, [input]);
    else inputs.push(input);
    const family = this.familyInputs.get(this.familyOf(consignmentId));
    if (family) addInput(family, input);
  }
}

/**
 * Adds `input` to a family's inputs unless there: kept in input id order, so a family's list depends only on
 * which inputs report its consignments, not on the order they came in (nor on a restore).
 */
function addInput(inputs: InputClock[], input: InputClock): void {
  let at = inputs.length;
  while (at > 0 && inputs[at - 1].id > input.id) at--;
  if (at > 0 && inputs[at - 1] === input) return;
  inputs.splice(at, 0, input);
}
