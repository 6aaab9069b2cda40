import type { RuleId, Severity } from '@aidwatch/domain';

/** Why a flag gave way to a newer one of the same problem; after a colon, what the new evidence was. */
export const SUPERSEDED = 'superseded by new evidence';
export const AID_ON_BOARD = `${SUPERSEDED}: aid on board`;
export const AID_NOT_ON_BOARD = `${SUPERSEDED}: aid not on board`;

/** A fix that bounds a flag's episode: its time (ms), place (degrees) and event id. */
export interface EpisodeEnd {
  at: number;
  lat: number;
  lon: number;
  eventId: string;
}

/** What a maritime rule raises about one vessel, before the detector adds the aid on board (see `FlagSink`). */
export interface VesselFlagDraft {
  rule: RuleId;
  key: string;
  severity: Severity;
  mmsi: string;
  /** The other vessel of an encounter: its consignments are affected too. */
  partnerMmsi?: string;
  /** Extra consignments known to be affected (e.g. the one a registration names). */
  consignmentIds?: string[];
  /**
   * The flag is about its `consignmentIds` alone — it judges what one consignment's registration declared (a
   * route deviation: its declared route and ports) — so the other aid on board is not named, and the flag is
   * never shown to another organisation whose aid shares the vessel (what one organisation declares must not
   * raise flags in another's view).
   */
  ownConsignmentsOnly?: boolean;
  /** Start of the episode; consignments on board then count as well as those on board at `atMs`. */
  fromMs?: number;
  atMs: number;
  observed: Record<string, unknown>;
  threshold: Record<string, unknown>;
  evidence: string[];
  /** One sentence without its final full stop (the detector appends the aid on board). */
  explanation: string;
  /**
   * The fixes that bound the episode, for a rule that judges an open flag again (an AIS gap split by a
   * position that arrives late). Kept with the open flag, not part of it.
   */
  ends?: { start: EpisodeEnd; end: EpisodeEnd };
}
