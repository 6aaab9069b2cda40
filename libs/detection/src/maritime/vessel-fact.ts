import type { VesselTrack } from './vessel-track';

/**
 * A fact about a vessel beyond its own reports, which every rule hears through `onFact` (most ignore it):
 * - `tracked`: the vessel is newly kept (its first report since it was last forgotten);
 * - `listed`: a designation naming the vessel was folded, the listing dated `at` (ms);
 * - `delisted`: the designation `listRef` was revoked at `at` (ms);
 * - `carriage`: the voyages declared for the vessel as a consignment's carrier changed;
 * - `met`: an encounter of the vessel with `other` was flagged or took its final figures: from `fromMs` to
 *   `atMs` (ms), the vessels at most `maxDistanceM` (m) apart, `evidence` the events that bound it.
 */
export type VesselFact =
  | { readonly kind: 'tracked' }
  | { readonly kind: 'listed'; readonly at: number }
  | { readonly kind: 'delisted'; readonly listRef: string; readonly at: number }
  | { readonly kind: 'carriage' }
  | {
      readonly kind: 'met';
      readonly other: VesselTrack;
      readonly fromMs: number;
      readonly atMs: number;
      readonly maxDistanceM: number;
      readonly evidence: readonly string[];
    };
