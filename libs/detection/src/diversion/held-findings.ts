import type { RuleId } from '@aidwatch/domain';
import { fingerprintOf } from '../flag-identity';
import type { FlagDraft } from '../flag-draft';

/**
 * Rules about inconsistent paperwork — quantities that shrink between steps, custody that does not follow
 * the goods, items outside the exemption in the paperwork at hand — whose findings wait until the
 * consignment's clock has passed their newest evidence (docs/time-model.md 9): the missing step, or an earlier
 * step that belongs in the same finding (a loading between a registration and a delivery that came first),
 * may still be on its way from another feed.
 */
export const judgedOncePassed: ReadonlySet<RuleId> = new Set<RuleId>([
  'quantity-shrinkage',
  'broken-custody',
  'item-not-exempt',
]);

/**
 * Inconsistent paperwork waits for the inputs that can still deliver the missing fact: a finding of a rule
 * in `judgedOncePassed` whose newest evidence is later than the consignment's clock (another feed of its
 * exemption has not reached that time yet: a discharge on a topic consumed behind, a field feed hours late)
 * is held and judged again when the clock reaches it. An open flag of the same problem stays as it is
 * meanwhile (its fingerprint goes to `keep`), so a late fact on its way never makes it flap. `clock`: the
 * consignment's clock (ms); `deadlines.next` (ms) is lowered to the newest evidence of each finding held.
 */
export function untilClockPasses(
  drafts: FlagDraft[],
  clock: number,
  deadlines: { next: number },
  keep: Set<string>,
): FlagDraft[] {
  return drafts.filter((d) => {
    if (!judgedOncePassed.has(d.rule)) return true;
    const at = Date.parse(d.raisedAt);
    if (!(at > clock)) return true;
    if (at < deadlines.next) deadlines.next = at;
    keep.add(fingerprintOf(d.rule, d.subject, d.key));
    return false;
  });
}
