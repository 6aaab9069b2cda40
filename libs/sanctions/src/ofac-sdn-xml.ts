import {
  cleanText,
  linkedToOf,
  SanctionsFormatError,
  SanctionsLists,
  type ListedVessel,
  type SanctionsListFile,
  type SkippedEntry,
} from './sanctions-list';
import { child, children, parseXml, text } from './xml';

/**
 * The namespaces of OFAC's `SDN.XML`: the Sanctions List Service export (2024 on) and the legacy one.
 * Both carry the same elements (`sdnList` > `publshInformation`, `sdnEntry`).
 */
export const OfacXmlNamespaces = [
  'https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML',
  'http://tempuri.org/sdnList.xsd',
] as const;

/**
 * Reads OFAC's SDN list as served in XML (`SDN.XML`, root `sdnList` in one of `OfacXmlNamespaces`). Keeps
 * the `sdnEntry` elements whose `sdnType` is `Vessel`: name from `lastName`, programmes from
 * `programList/program`, the IMO number from the `idList/id` of type `Vessel Registration Identification`
 * (`IMO 8604917`), the MMSI from an id of type `MMSI`, aliases from `akaList/aka/lastName` (not those of
 * category `weak`), the owner from
 * `vesselInfo/vesselOwner` or else the remarks' `Linked To:`. `publshInformation/Publish_Date`
 * (MM/DD/YYYY) becomes `publishedAt` (midnight UTC). Throws `SanctionsFormatError` for another document.
 */
export function parseOfacSdnXml(xml: string): SanctionsListFile {
  const doc = parseXml(xml, ['sdnEntry', 'program', 'id', 'aka'], 'OFAC SDN XML');
  // An empty root element (`<sdnList/>`) parses as an empty string.
  const root = doc.sdnList === '' ? {} : doc.sdnList;
  if (root === undefined || root === null || typeof root !== 'object')
    throw new SanctionsFormatError('not OFAC SDN XML: the root element is not sdnList');
  const namespace = /<sdnList\b[^>]*\bxmlns="([^"]*)"/.exec(xml)?.[1];
  if (namespace !== undefined && !(OfacXmlNamespaces as readonly string[]).includes(namespace))
    throw new SanctionsFormatError(`not OFAC SDN XML: unknown namespace ${namespace}`);
  const published = text(child(root, 'publshInformation'), 'Publish_Date');
  const entries = children(root, 'sdnEntry');
  const vessels: ListedVessel[] = [];
  const skipped: SkippedEntry[] = [];
  for (const entry of entries) {
    if (cleanText(text(entry, 'sdnType'))?.toLowerCase() !== 'vessel') continue;
    const reference = cleanText(text(entry, 'uid'));
    const name = cleanText(text(entry, 'lastName'));
    if (!reference || !name) {
      skipped.push({ reference: reference ?? '?', reason: 'vessel entry without a uid or a name' });
      continue;
    }
    let imo: string | undefined;
    let mmsi: string | undefined;
    for (const id of children(child(entry, 'idList'), 'id')) {
      const type = cleanText(text(id, 'idType'))?.toLowerCase();
      const number = cleanText(text(id, 'idNumber')) ?? '';
      if (type === 'vessel registration identification') imo ??= /^(?:IMO\s*)?(\d{7})$/i.exec(number)?.[1];
      else if (type === 'mmsi') mmsi ??= /^(\d{9})$/.exec(number)?.[1];
    }
    // OFAC marks low-quality aliases `weak`; they are left out (name screening would match them falsely).
    const aliases = children(child(entry, 'akaList'), 'aka')
      .filter((aka) => cleanText(text(aka, 'category'))?.toLowerCase() !== 'weak')
      .map((aka) => cleanText(text(aka, 'lastName')))
      .filter((a): a is string => a !== undefined && a !== name);
    const owner =
      cleanText(text(child(entry, 'vesselInfo'), 'vesselOwner')) ?? linkedToOf(text(entry, 'remarks'));
    vessels.push({
      reference,
      name,
      ...(imo && { imo }),
      ...(mmsi && { mmsi }),
      programs: children(child(entry, 'programList'), 'program')
        .map((p) => cleanText(p['#text']))
        .filter((p): p is string => p !== undefined),
      aliases: [...new Set(aliases)],
      ...(owner && { owner }),
    });
  }
  return {
    list: SanctionsLists.ofacSdn,
    format: 'ofac-sdn-xml',
    ...(published && { publishedAt: usDateToRfc3339(published) }),
    entries: entries.length,
    vessels,
    skipped,
  };
}

/** OFAC's `MM/DD/YYYY` as midnight UTC; throws for another form. */
function usDateToRfc3339(value: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim());
  const date = m ? new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]))) : null;
  if (!m || !date || date.getUTCDate() !== Number(m[2]))
    throw new SanctionsFormatError(
      `not OFAC SDN XML: Publish_Date ${JSON.stringify(value)} is not MM/DD/YYYY`,
    );
  return date.toISOString().replace('.000Z', 'Z');
}
