import { AisGapRule } from './ais-gap.rule';
import { DesignatedVesselRule } from './designated-vessel.rule';
import { DraughtChangeRule } from './draught-change.rule';
import { EncounterRule } from './encounter.rule';
import { IdentityChangeRule } from './identity-change.rule';
import { LoiteringRule } from './loitering.rule';
import type { MaritimeContext } from './maritime-context';
import { RouteDeviationRule } from './route-deviation.rule';
import type { VesselRule } from './vessel-rule';

/**
 * The maritime rules, in the order their hooks run; a rule's index is its state's slot in each vessel
 * (`VesselTrack.states`) and its `name` the key of that state in checkpoints. A new rule is one more line
 * here, at the end (a rule placed before others changes the order in which the flags of one event are
 * listed).
 */
export function maritimeRules(ctx: MaritimeContext): Array<VesselRule<unknown>> {
  const identityChange = new IdentityChangeRule(ctx);
  return [
    identityChange,
    new DesignatedVesselRule(ctx, identityChange),
    new DraughtChangeRule(ctx),
    new LoiteringRule(ctx),
    new EncounterRule(ctx),
    new RouteDeviationRule(ctx),
    new AisGapRule(ctx),
  ] as Array<VesselRule<unknown>>;
}
