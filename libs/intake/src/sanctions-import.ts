import { EventTypes, StreamNames, type CloudEvent } from '@aidwatch/domain';
import type { EventStore } from '@aidwatch/event-store';
import {
  designationStateOf,
  planImport,
  readSanctionsFileOffThread,
  SanctionsFormatError,
  type ImportPlan,
  type SanctionsListFile,
} from '@aidwatch/sanctions';
import type { EventIntake, HttpEventError } from './event-intake';

/** Options of one import: the format (else detected), dry run, and whether an empty list may revoke all. */
export interface SanctionsImportOptions {
  format?: string;
  /** OFAC's `ALT.CSV`, whose aliases go with an `SDN.CSV`. */
  ofacAliases?: Buffer | string;
  /** Plan only: report what would be appended, append nothing. */
  dryRun?: boolean;
  /**
   * A file that lists no vessel while the store holds listings of that list would revoke them all: refused
   * unless this is set (a truncated download or the wrong file must not delist a whole list).
   */
  allowEmpty?: boolean;
  /** The events' time when the file carries no publication date (default: now). */
  now?: Date;
}

/** What an import did: the plan's counts and how many of its events were new to the store. */
export interface SanctionsImportReport {
  list: string;
  format: string;
  publishedAt: string | null;
  /** Entries the file holds, of every kind. */
  entries: number;
  listed: number;
  /**
   * Listings taken in: new (`designated`) plus changed ones, never a skipped entry (an entry whose event
   * intake would refuse is counted in `skipped` only, with its reason).
   */
  imported: number;
  designated: number;
  changed: number;
  revoked: number;
  unchanged: number;
  /** Events appended (0 on a dry run or when all were already stored). */
  appended: number;
  dryRun: boolean;
  skipped: Array<{ reference: string; reason: string }>;
}

/**
 * Why an import was refused: `invalid` (the file is not the format, 400 / exit 2), `empty` (no vessel in a
 * list the store holds listings of, 422 / exit 2), `conflict` (an id stored with other content, 409 / exit 1).
 */
export class SanctionsImportError extends Error {
  constructor(
    readonly kind: 'invalid' | 'empty' | 'conflict',
    message: string,
    readonly errors: HttpEventError[] = [],
  ) {
    super(message);
    this.name = 'SanctionsImportError';
  }
}

/**
 * Events per intake call, and per slice of the validity check between yields to the event loop: a list of
 * thousands of vessels never blocks the loop for long (33 MB, 3000 vessels: longest block about 65 ms, see
 * `sanctions-import.event-loop.int.spec.ts`; 500 a call blocked it 460 ms).
 */
const BATCH = 50;
/** Events read per page when folding the store's designations. */
const PAGE = 5000;

/**
 * `aidwatch sanctions import` and `POST /sanctions/import`: reads a list file, folds the store's designation
 * streams into the listings it holds, plans the events that bring them in line with the file (see
 * `planImport`) and appends them through the intake path every producer uses (validation, then an
 * idempotent append). Importing the same list twice appends nothing.
 */
export async function importSanctionsList(
  store: EventStore,
  intake: EventIntake,
  content: Buffer | string,
  options: SanctionsImportOptions = {},
): Promise<SanctionsImportReport> {
  let file: SanctionsListFile;
  try {
    file = await readSanctionsFileOffThread(content, options.format, options.ofacAliases);
  } catch (error) {
    if (error instanceof SanctionsFormatError) throw new SanctionsImportError('invalid', error.message);
    throw error;
  }
  const state = designationStateOf(await designationEvents(store));
  const plan: ImportPlan = planImport(file, state, options.now ?? new Date());
  if (file.vessels.length === 0 && plan.revoked > 0 && !options.allowEmpty)
    throw new SanctionsImportError(
      'empty',
      `the file lists no vessel but the store holds ${plan.revoked} listing(s) of ${file.list}: ` +
        'importing it would revoke them all (allow an empty list explicitly to do so)',
    );
  // Every event is checked as intake would check it, in dry run and real run alike: an entry whose event
  // would be refused (a name too long, a control or bidirectional character…) is skipped with the reason.
  const invalid: Array<{ reference: string; reason: string }> = [];
  const valid: typeof plan.events = [];
  for (const [i, event] of plan.events.entries()) {
    // Checked in slices, yielding to the event loop between them (a list of many thousand vessels).
    if (i > 0 && i % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
    const reason = intake.invalidReason(event);
    if (reason === undefined) {
      valid.push(event);
      continue;
    }
    invalid.push({ reference: String(event.data.reference ?? event.id), reason });
    // A skipped entry is counted as skipped only, not as designated, changed or revoked.
    plan[plan.kinds.get(event.id) ?? 'designated'] -= 1;
  }
  plan.events = valid;
  let appended = 0;
  if (!options.dryRun)
    for (let i = 0; i < plan.events.length; i += BATCH) {
      const result = await intake.ingestHttp(
        'application/cloudevents-batch+json',
        plan.events.slice(i, i + BATCH),
      );
      if (result.ok) appended += result.appended;
      else if (result.kind === 'conflict')
        throw new SanctionsImportError('conflict', result.errors[0]?.reason ?? 'conflict', result.errors);
      else
        throw new Error(
          `a planned designation event was refused: ${JSON.stringify(result.errors.slice(0, 3))}`,
        );
    }
  return {
    list: file.list,
    format: file.format,
    publishedAt: file.publishedAt ?? null,
    entries: file.entries,
    listed: plan.listed,
    imported: plan.designated + plan.changed,
    designated: plan.designated,
    changed: plan.changed,
    revoked: plan.revoked,
    unchanged: plan.unchanged,
    appended,
    dryRun: options.dryRun === true,
    skipped: [...file.skipped, ...invalid],
  };
}

/** The designation and revocation events of the store, in store order (as CloudEvents). */
async function designationEvents(store: EventStore): Promise<Array<{ type: string; data: unknown }>> {
  const out: Array<{ type: string; data: unknown }> = [];
  const filter = {
    streamPrefixes: [StreamNames.designation('')],
    eventTypePrefixes: [EventTypes.VesselDesignated, EventTypes.VesselDesignationRevoked],
  };
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ filter, maxCount: PAGE, ...(after !== undefined && { after }) });
    for (const stored of page) {
      const event = stored.data as CloudEvent;
      out.push({ type: stored.type, data: event.data });
    }
    if (page.length < PAGE) return out;
    after = page[page.length - 1].position;
  }
}

/** A one-line account of an import, for the CLI and logs. */
export function describeSanctionsImport(r: SanctionsImportReport): string {
  const what =
    `${r.list} (${r.format}${r.publishedAt ? `, published ${r.publishedAt}` : ''}): ${r.entries} entries, ` +
    `${r.listed} vessels listed; ${r.imported} imported (${r.designated} new, ${r.changed} changed), ` +
    `${r.unchanged} unchanged, ${r.revoked} revoked`;
  const skipped = r.skipped.length > 0 ? `; ${r.skipped.length} skipped (reasons: see --json)` : '';
  if (r.dryRun) return `${what}${skipped}; dry run: nothing appended`;
  return `${what}${skipped}; ${r.appended} events appended`;
}
