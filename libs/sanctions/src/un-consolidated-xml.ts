import {
  cleanText,
  isShipImo,
  SanctionsFormatError,
  SanctionsLists,
  type ListedVessel,
  type SanctionsListFile,
  type SkippedEntry,
} from './sanctions-list';
import { child, children, parseXml, text } from './xml';

/** The UN list type whose entities AidWatch reads vessels from (Security Council resolution 1718 (2006)). */
export const UnDprkListType = 'DPRK';

/**
 * A company's own IMO number as the UN comments print it (`IMO number: 1790183`, `IMO: 5607331`): the IMO
 * Unique Company and Registered Owner Identification Number of the listed entity, not a ship's.
 */
const COMPANY_IMO = /(?<!\(\s*)\bIMO\s*(?:company\s*)?(?:number|no\.?|#)?\s*:?\s*(\d{7})\b/gi;
/** Where the comments start naming ships: "…the following vessels…", "the oil tankers …". */
const VESSEL_CLAUSE = /\b(?:vessels?|ships?|tankers?|freighters?|carriers?)\b/i;
/**
 * One ship of a vessel clause: a name, then its IMO number in brackets — `Chol Ryong (8606173)`,
 * `(b) Chong Bong (IMO 8909575)`. The name runs back to the previous comma, semicolon, colon, `and` or
 * enumerator.
 */
const SHIP_ITEM =
  /(?:^|[,;:]|\band\b|\([a-z]{1,4}\))\s*([A-Z][A-Za-z0-9'’.\- ]{0,60}?)\s*\((?:IMO\s*(?:number|no\.?)?\s*:?\s*)?(\d{7})\)/g;

/**
 * Reads the UN Security Council Consolidated List (XML, root `CONSOLIDATED_LIST`, `dateGenerated` →
 * `publishedAt`). The list names no ships as entries of their own: ships appear in the free-text
 * `COMMENTS1` of entities of `UN_LIST_TYPE` DPRK, as the vessels a listed company owns or operates. Each
 * ship named there with its IMO number in brackets becomes a listed vessel under the entity's
 * `REFERENCE_NUMBER` (e.g. `KPe.029`), owned or operated by the entity (its `FIRST_NAME`).
 *
 * False-match guard: the comments also print the company's own IMO number (`IMO number: 1790183`, an IMO
 * company number). Such numbers are never taken as a ship's: only a number in brackets right after a name
 * inside a vessel clause is, it must pass the IMO ship-number check digit (SOLAS XI-1/3), and any number
 * the comments give as the company's is excluded even there. The company numbers left out are reported
 * as `skipped`. Throws `SanctionsFormatError` for another document.
 */
export function parseUnConsolidatedXml(xml: string): SanctionsListFile {
  const doc = parseXml(
    xml,
    ['ENTITY', 'INDIVIDUAL', 'ENTITY_ALIAS', 'VALUE'],
    'the UN Security Council Consolidated List XML',
  );
  // An empty root element (`<CONSOLIDATED_LIST/>`) parses as an empty string.
  const root = doc.CONSOLIDATED_LIST === '' ? {} : doc.CONSOLIDATED_LIST;
  if (root === undefined || root === null || typeof root !== 'object')
    throw new SanctionsFormatError(
      'not the UN Security Council Consolidated List XML: the root element is not CONSOLIDATED_LIST',
    );
  const generated = cleanText((root as Record<string, unknown>)['@_dateGenerated']);
  const entities = children(child(root, 'ENTITIES'), 'ENTITY');
  const individuals = children(child(root, 'INDIVIDUALS'), 'INDIVIDUAL');
  const vessels: ListedVessel[] = [];
  const skipped: SkippedEntry[] = [];
  for (const entity of entities) {
    if (cleanText(text(entity, 'UN_LIST_TYPE'))?.toUpperCase() !== UnDprkListType) continue;
    const reference = cleanText(text(entity, 'REFERENCE_NUMBER'));
    const owner = cleanText(text(entity, 'FIRST_NAME'));
    const comments = cleanText(text(entity, 'COMMENTS1'));
    if (!reference || !comments) continue;
    const { ships, companyImos, refused } = shipsInComments(comments);
    for (const imo of companyImos)
      skipped.push({ reference, reason: `company IMO number ${imo} of ${owner ?? reference}: not a ship` });
    for (const r of refused) skipped.push({ reference, reason: r });
    for (const ship of ships)
      vessels.push({
        reference,
        name: ship.name,
        imo: ship.imo,
        programs: [UnDprkListType],
        aliases: [],
        ...(owner && { owner }),
      });
  }
  return {
    list: SanctionsLists.unSc,
    format: 'un-consolidated-xml',
    ...(generated && { publishedAt: isoOf(generated) }),
    entries: entities.length + individuals.length,
    vessels,
    skipped,
  };
}

/**
 * The ships a DPRK entity's comments name (see `parseUnConsolidatedXml`), the company IMO numbers they
 * print, and the bracketed numbers refused (check digit) with why.
 */
export function shipsInComments(comments: string): {
  ships: Array<{ name: string; imo: string }>;
  companyImos: string[];
  refused: string[];
} {
  const companyImos = [...new Set([...comments.matchAll(COMPANY_IMO)].map((m) => m[1]))];
  const clause = VESSEL_CLAUSE.exec(comments);
  const ships: Array<{ name: string; imo: string }> = [];
  const refused: string[] = [];
  if (clause) {
    const rest = comments.slice(clause.index + clause[0].length);
    const seen = new Set<string>();
    for (const m of rest.matchAll(SHIP_ITEM)) {
      const name = cleanText(m[1].replace(/^(?:and|the)\s+/i, ''));
      const imo = m[2];
      if (!name || seen.has(imo) || companyImos.includes(imo)) continue;
      if (!isShipImo(imo)) {
        refused.push(`${name} (${imo}): not a valid IMO ship number (check digit)`);
        continue;
      }
      seen.add(imo);
      ships.push({ name, imo });
    }
  }
  return { ships, companyImos: companyImos.filter((imo) => !ships.some((s) => s.imo === imo)), refused };
}

/** `2024-11-27T17:00:06.193Z` (or a zone-less form, taken as UTC) as RFC 3339 to the second. */
function isoOf(value: string): string {
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms))
    throw new SanctionsFormatError(`not the UN Consolidated List XML: dateGenerated ${value} is not a date`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
