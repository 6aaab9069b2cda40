import { parse } from 'csv-parse/sync';
import {
  cleanText,
  linkedToOf,
  SanctionsFormatError,
  SanctionsLists,
  type ListedVessel,
  type SanctionsListFile,
  type SkippedEntry,
} from './sanctions-list';

/**
 * The columns of OFAC's legacy `SDN.CSV` (no header row; "SDN List Data Specification", OFAC): entry
 * number, name, type (`individual`, `vessel`, `aircraft`, or `-0-` for an entity), programme(s), title,
 * call sign, vessel type, tonnage, gross registered tonnage, vessel flag, vessel owner, remarks.
 */
const COLUMNS = 12;
/** OFAC's marker for an empty field (written unquoted, with a trailing space). */
const EMPTY = '-0-';
/** The DOS end-of-file character OFAC appends after the last record. */
const SUBSTITUTE = '\u001a';

/**
 * Reads OFAC's SDN list as served in CSV (`SDN.CSV`): no header, CRLF line ends, a trailing 0x1A, `-0-`
 * for empty fields, several programmes in one field as `DPRK3] [DPRK4`. Keeps the rows whose SDN_Type is
 * `vessel`: the IMO number from the remarks' `Vessel Registration Identification IMO nnnnnnn`, the MMSI
 * from `MMSI nnnnnnnnn`, the owner from Vess_owner or else the remarks' `Linked To:`. The CSV carries no
 * aliases: OFAC publishes them in `ALT.CSV`, read with `parseOfacAltCsv` and given as `aliases`.
 * Throws `SanctionsFormatError` for a file that is not that CSV (a header row, a wrong column count, a
 * non-numeric entry number).
 */
export function parseOfacSdnCsv(text: string, aliases?: ReadonlyMap<string, string[]>): SanctionsListFile {
  const body = text
    .replace(/^\uFEFF/, '')
    .split(SUBSTITUTE)
    .join('')
    // Whatever a download or an editor left after the last record (a newline after the 0x1A, spaces).
    .trimEnd();
  let rows: string[][];
  try {
    rows = parse(body, {
      relax_column_count: true,
      skip_records_with_empty_values: true,
      trim: false,
    }) as string[][];
  } catch (error) {
    throw new SanctionsFormatError(`not OFAC SDN CSV: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new SanctionsFormatError('not OFAC SDN CSV: the file holds no record');
  const vessels: ListedVessel[] = [];
  const skipped: SkippedEntry[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.length !== COLUMNS)
      throw new SanctionsFormatError(
        `not OFAC SDN CSV: record ${index + 1} has ${row.length} fields, the SDN list has ${COLUMNS}`,
      );
    const field = (i: number): string | undefined => {
      const value = cleanText(row[i]);
      return value === EMPTY ? undefined : value;
    };
    const reference = field(0);
    if (!reference || !/^\d+$/.test(reference))
      throw new SanctionsFormatError(
        `not OFAC SDN CSV: record ${index + 1} does not start with an entry number (a header row?)`,
      );
    if (field(2)?.toLowerCase() !== 'vessel') continue;
    const name = field(1);
    if (!name) {
      skipped.push({ reference, reason: 'vessel entry without a name' });
      continue;
    }
    const remarks = field(11);
    const imo = remarks ? /IMO\s+(\d{7})\b/i.exec(remarks)?.[1] : undefined;
    const mmsi = remarks ? /\bMMSI\s+(\d{9})\b/i.exec(remarks)?.[1] : undefined;
    const owner = field(10) ?? linkedToOf(remarks);
    vessels.push({
      reference,
      name,
      ...(imo && { imo }),
      ...(mmsi && { mmsi }),
      programs: programsOf(field(3)),
      aliases: (aliases?.get(reference) ?? []).filter((a) => a !== name),
      ...(owner && { owner }),
    });
  }
  return { list: SanctionsLists.ofacSdn, format: 'ofac-sdn-csv', entries: rows.length, vessels, skipped };
}

/** `DPRK3] [DPRK4` → [`DPRK3`, `DPRK4`] (OFAC joins an entry's programmes with `] [`). */
function programsOf(field: string | undefined): string[] {
  if (!field) return [];
  return field
    .split(/\]\s*\[/)
    .map((p) => p.replace(/[[\]]/g, '').trim())
    .filter((p) => p !== '');
}

/** The columns of OFAC's `ALT.CSV`: entry number, alias number, type (`a.k.a.`, `f.k.a.`, `n.k.a.`), name, remarks. */
const ALT_COLUMNS = 5;

/**
 * Reads OFAC's `ALT.CSV` (the aliases of the SDN list; same conventions as `SDN.CSV`): the alias names of
 * each entry number, in file order. Throws `SanctionsFormatError` for another file.
 */
export function parseOfacAltCsv(text: string): Map<string, string[]> {
  const body = text
    .replace(/^\uFEFF/, '')
    .split(SUBSTITUTE)
    .join('')
    // Whatever a download or an editor left after the last record (a newline after the 0x1A, spaces).
    .trimEnd();
  let rows: string[][];
  try {
    rows = parse(body, { relax_column_count: true, skip_records_with_empty_values: true }) as string[][];
  } catch (error) {
    throw new SanctionsFormatError(`not OFAC ALT CSV: ${(error as Error).message}`);
  }
  const aliases = new Map<string, string[]>();
  for (const [index, row] of rows.entries()) {
    const reference = cleanText(row[0]);
    if (row.length !== ALT_COLUMNS || !reference || !/^\d+$/.test(reference))
      throw new SanctionsFormatError(
        `not OFAC ALT CSV: record ${index + 1} is not entry number, alias number, type, name, remarks`,
      );
    const name = cleanText(row[3]);
    if (!name || name === EMPTY) continue;
    const list = aliases.get(reference) ?? [];
    if (!list.includes(name)) list.push(name);
    aliases.set(reference, list);
  }
  return aliases;
}
