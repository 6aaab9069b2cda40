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
 * A company's own IMO number as the UN comments print it (`IMO number: 1790183`, `IMO: 5607331`,
 * `International Maritime Organization (IMO) Number: 1790183`): the IMO
 * Unique Company and Registered Owner Identification Number of the listed entity, not a ship's.
 */
const COMPANY_IMO =
  /(?:(?<!\(\s*)\bIMO|International Maritime Organization \(IMO\))\s*(?:company\s*)?(?:number|no\.?|#)?\s*:?\s*(\d{7})\b/gi;
/** Where the comments start naming ships: "…the following vessels…", "the oil tankers …". */
const VESSEL_CLAUSE = /\b(?:vessels?|ships?|tankers?|freighters?|carriers?)\b/i;
/**
 * One ship of a vessel clause: a name, then its IMO number in brackets — `Chol Ryong (8606173)`,
 * `(b) Chong Bong (IMO 8909575)`. The name runs back to the previous comma, semicolon, colon, `and` or
 * enumerator.
 */
const SHIP_ITEM =
  /(?:^|[,;:]|\band\b|\([a-z]{1,4}\))\s*([A-Z][A-Za-z0-9'’.\- ]{0,60}?)\s*\((?:IMO\s*(?:number|no\.?)?\s*:?\s*)?(\d{7})\)/g;

/** A ship named in title case right after "vessel": `the vessel Chong Chon Gang`, `its vessel, the Chong Chon Gang`. */
const TITLE_CASE_AFTER_VESSEL = /\bvessel,?\s+(?:the\s+)?([A-Z][a-z]+(?:\s+(?:[A-Z][a-z]+|\d{1,3}))*)/g;
/**
 * A run of capitalised words (digits allowed after the first word), as the current list prints ship names:
 * `DPRK tanker PAEK MA`, `the YU PHYONG 5`, `tankers SAM JONG 1 and SAM JONG 2`, `vessel “ASIA BRIDGE 1”`.
 */
const CAPITALISED_RUN =
  /(?<![\p{L}\p{N}'’-])[A-Z][A-Z'’-]*(?:\s+(?:[A-Z][A-Z'’-]*|\d{1,3}))*(?![\p{L}\p{N}'’-])/gu;
/** Capitalised words that are not ship names: the country, bodies, identifiers, an entity's abbreviation. */
const NOT_A_SHIP_WORD = new Set([
  'DPRK',
  'UN',
  'IMO',
  'ETA',
  'SWIFT',
  'BIC',
  'MV',
  'MT',
  'OMM',
  'KOMID',
  'KKBC',
  'US',
  'USA',
]);
/** Words of a company's name: a run holding one is a company (`SAMMA SHIPPING`), not a ship. */
const COMPANY_WORD =
  /^(?:SHIPPING|COMPANY|CO|CORP|CORPORATION|LTD|LIMITED|TRADING|BANK|GROUP|INC|JV|LLC|HOLDINGS|MANAGEMENT|INTERNATIONAL|ENTERPRISE|GENERAL)$/;

/**
 * Reads the UN Security Council Consolidated List (XML, root `CONSOLIDATED_LIST`, `dateGenerated` →
 * `publishedAt`). The list names no ships as entries of their own: ships appear in the free-text
 * `COMMENTS1` of entities of `UN_LIST_TYPE` DPRK, as the vessels a listed company owns or operates. Each
 * ship named there with its IMO number in brackets becomes a listed vessel under the entity's
 * `REFERENCE_NUMBER` (e.g. `KPe.029`), owned or operated by the entity (its `FIRST_NAME`).
 *
 * The list as published since 2018 mostly names ships without numbers (`Registered owner of the DPRK tanker
 * PAEK MA … IMO number: 5963351.`, where the number is the company's). Such a ship becomes a listed vessel
 * with a name only, which screening matches only by normalised name, as a weaker, labelled match (see
 * `namedShipsInComments` for what is read as a name).
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
    const entityNames = [
      owner,
      ...children(entity, 'ENTITY_ALIAS').map((a) => cleanText(text(a, 'ALIAS_NAME'))),
    ];
    const named = namedShipsInComments(comments, entityNames).filter(
      (name) => !ships.some((ship) => normalisedName(ship.name) === name),
    );
    for (const ship of [...ships, ...named.map((name) => ({ name, imo: undefined }))])
      vessels.push({
        reference,
        name: ship.name,
        ...(ship.imo && { imo: ship.imo }),
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

/**
 * The ships a DPRK entity's comments name without a number, as normalised names (upper case, single
 * spaces), in order of first mention. Read only from comments that speak of ships (a vessel clause: vessel,
 * ship, tanker, freighter, carrier): a run of capitalised words (`PAEK MA`, `KUM UN SAN 3`, digits after
 * the first word), or a title-case name right after "vessel" (`the vessel Chong Chon Gang`). Left out: runs
 * of words that are not ship names only (`DPRK`, `UN`, `IMO`…), runs holding a company word (`SAMMA
 * SHIPPING`), runs of one word under three letters, and the entity's own name and aliases.
 */
export function namedShipsInComments(
  comments: string,
  entityNames: ReadonlyArray<string | undefined> = [],
): string[] {
  if (!VESSEL_CLAUSE.test(comments)) return [];
  const own = new Set(entityNames.filter((n): n is string => !!n).map(normalisedName));
  const found: string[] = [];
  const consider = (raw: string) => {
    const words = normalisedName(raw).split(' ');
    while (words.length > 0 && NOT_A_SHIP_WORD.has(words[0])) words.shift();
    while (words.length > 0 && NOT_A_SHIP_WORD.has(words[words.length - 1])) words.pop();
    if (words.length === 0 || /^\d/.test(words[0])) return;
    if (words.some((w) => COMPANY_WORD.test(w))) return;
    if (words.length === 1 && words[0].replace(/[^A-Z]/g, '').length < 3) return;
    const name = words.join(' ');
    if (own.has(name) || found.includes(name)) return;
    found.push(name);
  };
  // A possessive (`the CHON MA SAN’s larger size`) is the name without it.
  const text = comments.replace(/(?<=[A-Za-z0-9])['’]s\b/g, '');
  for (const m of text.matchAll(TITLE_CASE_AFTER_VESSEL)) consider(m[1]);
  for (const m of text.matchAll(CAPITALISED_RUN)) consider(m[0]);
  return found;
}

/** Upper case, quotes and surrounding punctuation dropped, runs of white space as one space. */
function normalisedName(name: string): string {
  return name.toUpperCase().replace(/[“”"]/g, '').replace(/\s+/g, ' ').trim();
}

/** `2024-11-27T17:00:06.193Z` (or a zone-less form, taken as UTC) as RFC 3339 to the second. */
function isoOf(value: string): string {
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(withZone);
  if (Number.isNaN(ms))
    throw new SanctionsFormatError(`not the UN Consolidated List XML: dateGenerated ${value} is not a date`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
