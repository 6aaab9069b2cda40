import type { Flag } from '@aidwatch/domain';
import type { InputClockJson } from '../input-clocks';
import type { ConsignmentFactsJson } from './consignment-facts';
import { DiversionState } from './diversion-state';
import type { ExemptionFactsJson, PortFact } from './exemption-facts';

/** What is not kept per subject. */
export interface DiversionHead {
  format: 'aidwatch.diversion.v2';
  inputs: InputClockJson[];
  /** Closed sources and the time each ends (ms); absent in older checkpoints (see `InputClocks.restore`). */
  closedSources?: Record<string, number>;
}

/** One consignment: its facts, its open flags and when it must be judged again (null: never). */
export interface ConsignmentEntry {
  facts: ConsignmentFactsJson;
  /** The inputs (CloudEvents sources) that reported the consignment. */
  inputs: string[];
  /** The clock it was last judged at (ms), null before any judgement. */
  judgedAt: number | null;
  openFlags: Flag[];
  /** Flag ids cleared and how many times (see `OpenFlags`), oldest first; absent when none. */
  clearedFlags?: Array<[string, number]>;
  deadline: number | null;
  /** Waiting for `settle` since the event of this time (ISO 8601); absent when not. */
  unsettledAt?: string;
}

/**
 * A consignment's entry from its facts and what the detector keeps of it (`openFlags` in any order: sorted
 * here by fingerprint; `clearedFlags` and `unsettledAt` left out when undefined).
 */
export function consignmentEntryOf(
  facts: ConsignmentFactsJson,
  kept: Omit<ConsignmentEntry, 'facts' | 'clearedFlags' | 'unsettledAt'> & {
    clearedFlags: Array<[string, number]> | undefined;
    unsettledAt: string | undefined;
  },
): ConsignmentEntry {
  const { openFlags, inputs, judgedAt, clearedFlags, deadline, unsettledAt } = kept;
  return {
    facts,
    inputs,
    judgedAt,
    openFlags: openFlags.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1)),
    ...(clearedFlags !== undefined && { clearedFlags }),
    deadline,
    ...(unsettledAt !== undefined && { unsettledAt }),
  };
}

/**
 * The diversion state as plain JSON: the head and one entry per subject — `consignment:<id>`
 * (ConsignmentEntry), `exemption:<id>` (its grants and revocations), `port:<locode>` (the declaration).
 */
export interface DiversionSnapshot {
  head: DiversionHead;
  entries: Record<string, unknown>;
}

/**
 * The consignment entries of a saved diversion state (by key) and the facts it holds, folded back into a
 * `DiversionState`; throws on anything but an `aidwatch.diversion.v2` snapshot.
 */
export function readDiversionSnapshot(snapshot: unknown): {
  saved: DiversionSnapshot;
  consignments: ConsignmentEntry[];
  state: DiversionState;
} {
  const saved = snapshot as DiversionSnapshot;
  if (saved?.head?.format !== 'aidwatch.diversion.v2') throw new Error('not a diversion detector snapshot');
  const consignments: ConsignmentEntry[] = [];
  const exemptions: ExemptionFactsJson[] = [];
  const portFacts: PortFact[] = [];
  for (const key of Object.keys(saved.entries).sort()) {
    const value = saved.entries[key];
    if (key.startsWith('consignment:')) consignments.push(value as ConsignmentEntry);
    else if (key.startsWith('exemption:')) exemptions.push(value as ExemptionFactsJson);
    else if (key.startsWith('port:')) portFacts.push(value as PortFact);
  }
  const state = DiversionState.fromJSON({
    consignments: consignments.map((c) => c.facts),
    exemptions,
    ports: portFacts,
  });
  return { saved, consignments, state };
}
