/** The lists AidWatch reads, by the `list` name their designations carry. */
export const SanctionsLists = {
  /** US Treasury OFAC Specially Designated Nationals and Blocked Persons List. */
  ofacSdn: 'OFAC-SDN',
  /** United Nations Security Council Consolidated List. */
  unSc: 'UN-SC',
} as const;
export type SanctionsListName = (typeof SanctionsLists)[keyof typeof SanctionsLists];

/** The published formats a list is read from. */
export const SanctionsFormats = ['ofac-sdn-csv', 'ofac-sdn-xml', 'un-consolidated-xml'] as const;
export type SanctionsFormat = (typeof SanctionsFormats)[number];

/** One vessel a list names, as read from the list (before it becomes a designation event). */
export interface ListedVessel {
  /** The list's own reference of the entry that names the vessel: OFAC's entry number, the UN's `KPe.029`. */
  reference: string;
  /** The name the list gives the vessel, as printed. */
  name: string;
  /** The ship's IMO number (7 digits), when the list gives one; never a company's IMO number. */
  imo?: string;
  /** The vessel's MMSI (9 digits), when the list gives one. */
  mmsi?: string;
  /** Sanctions programmes the entry is under (OFAC: `DPRK3`, `IRAN`; UN: the list type, `DPRK`). */
  programs: string[];
  /** Other names the vessel is listed under (OFAC `a.k.a.`, `f.k.a.`). */
  aliases: string[];
  /** The owner or operator the list links the vessel to. */
  owner?: string;
}

/** Something of the file that was not taken as a vessel, and why (for the import report). */
export interface SkippedEntry {
  reference: string;
  reason: string;
}

/** A list as read from one file. */
export interface SanctionsListFile {
  list: SanctionsListName;
  format: SanctionsFormat;
  /** When the list was published or generated (RFC 3339), when the file says so. */
  publishedAt?: string;
  /** Entries (records) the file holds, of every kind. */
  entries: number;
  vessels: ListedVessel[];
  skipped: SkippedEntry[];
}

/** The file is not a list in the format it claims or was taken for: bad input (a 4xx, exit code 2). */
export class SanctionsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SanctionsFormatError';
  }
}

const IMO_DIGITS = /^\d{7}$/;

/** IMO ship numbers (SOLAS XI-1/3): the 7th digit is the sum of the first six weighted 7..2, modulo 10. */
export function isShipImo(imo: string): boolean {
  if (!IMO_DIGITS.test(imo) || /^0+$/.test(imo)) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(imo[i]) * (7 - i);
  return sum % 10 === Number(imo[6]);
}

/** Trimmed text with runs of white space collapsed; undefined when empty. */
export function cleanText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
}

/** `Linked To: X.` in OFAC remarks: the first entity the vessel is linked to, without the final full stop. */
export function linkedToOf(remarks: string | undefined): string | undefined {
  const m = remarks ? /Linked To:\s*([^;]+?)\.?\s*(?:;|$)/i.exec(remarks) : null;
  return m ? cleanText(m[1]) : undefined;
}
