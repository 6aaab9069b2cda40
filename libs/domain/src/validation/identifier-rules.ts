/**
 * What an identifier or name may contain (CloudEvents `id`, `source`, `subject`, the ids in event data,
 * tenants and sources of credentials): text a person can read back and compare. Refused:
 * - empty strings and surrounding white space (`" CSG-1"` and `"CSG-1"` would be two ids that look alike);
 * - control characters (General_Category Cc: C0, DEL, C1, e.g. NUL, ESC, CR/LF, U+0085 NEL), which break
 *   logs and terminals, and the line and paragraph separators U+2028 and U+2029 (Zl, Zp), which end a line
 *   for many readers;
 * - bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and implicit marks
 *   (U+200E, U+200F, U+061C), which reorder what is shown (Unicode TR #36 §2.1, CVE-2021-42574 "Trojan Source");
 * - zero-width and invisible characters (U+200B–U+200D, U+2060, U+FEFF byte order mark), and every other
 *   format character by Unicode category (General_Category Cf: the soft hyphen U+00AD, the tag characters
 *   U+E0001–U+E007F, the invisible operators U+2061–U+2064…), so no invisible character is missed by a list;
 * - every white space but the ordinary space U+0020 (Unicode property White_Space: no-break spaces U+00A0
 *   and U+202F, the ideographic space U+3000, en/em and other spaces U+2000–U+200A, U+1680…), which look
 *   like a space, or like nothing, and make two ids that read alike;
 * - every default-ignorable code point (Unicode property Default_Ignorable_Code_Point, UAX #44: the
 *   combining grapheme joiner U+034F, variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF, the Hangul
 *   fillers U+115F, U+1160, U+3164, U+FFA0…), which renderers show as nothing, and the Braille pattern
 *   blank U+2800, which shows as a blank but is neither;
 * - lone UTF-16 surrogates, which are not Unicode text and cannot be stored as UTF-8;
 * - more than `maxLength` characters (setting `LIMIT_IDENTIFIER_LENGTH`, default 256).
 * Mixed scripts (a Cyrillic `а` among Latin letters) are not refused: organisations write their ids in
 * their own scripts.
 */
export function identifierProblem(value: string, maxLength: number): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxLength) return `must be at most ${maxLength} characters (is ${value.length})`;
  if (value.trim() !== value) return 'must not start or end with white space';
  return forbiddenCharacter(value, IDENTIFIER_FORBIDDEN);
}

/**
 * Free text (descriptions, reasons, notes, comments, names of people and places): any printable text with
 * tabs and line breaks (LF, or CR LF), but no other control character (Cc: C0, DEL and C1, U+0085 NEL
 * included; a CR not followed by LF), no line or paragraph separator (U+2028, U+2029: Zl, Zp), no
 * bidirectional override or isolate, no tag character (U+E0000–U+E007F) and no lone surrogate. Other
 * format characters (Cf) stay allowed in free text: the zero-width joiner and non-joiner and the soft
 * hyphen are part of ordinary writing in several scripts (and of emoji sequences).
 */
export function textProblem(value: string, maxLength: number): string | undefined {
  if (value.length > maxLength) return `must be at most ${maxLength} characters (is ${value.length})`;
  return forbiddenCharacter(value, TEXT_FORBIDDEN);
}

/**
 * Controls (Cc: C0, DEL, C1), format characters (Cf: bidi marks, zero-width, soft hyphen, tags…), the
 * line and paragraph separators (Zl, Zp), default-ignorable code points, the Braille blank U+2800, and
 * every white space but U+0020.
 */
const IDENTIFIER_FORBIDDEN =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]|(?! )\p{White_Space}/u;
const TEXT_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}]|\r(?!\n)/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function forbiddenCharacter(value: string, forbidden: RegExp): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it contains a lone surrogate)';
  const match = forbidden.exec(value);
  if (!match) return undefined;
  const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `must not contain the invisible, blank or control character U+${code} (at ${match.index})`;
}

/** Envelope attributes and data fields that are identifiers (the rest of the strings are free text). */
const IDENTIFIER_KEY =
  /(^|[a-z])(Id|Ref|Code)$|^(id|source|subject|type|specversion|mmsi|imo|locode|billOfLading|callsign|unit)$/;

export interface StringLimits {
  identifierLength: number;
  textLength: number;
}

/**
 * The most characters of a field's path a problem repeats (in `field` and in its message). Names longer than
 * an identifier may be are refused themselves; without the bound a 1 MB body of one long name over 20 bad
 * values answered with a 38 MB error body.
 */
export const MAX_PROBLEM_PATH_CHARS = 300;

/** `path` cut to `MAX_PROBLEM_PATH_CHARS` (never inside a surrogate pair), marked with `…` when cut. */
function boundedPath(path: string): string {
  if (path.length <= MAX_PROBLEM_PATH_CHARS) return path;
  let end = MAX_PROBLEM_PATH_CHARS;
  const last = path.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${path.slice(0, end)}…`;
}

/** An object or array being walked by `stringFieldProblems`: its children are taken in order. */
interface Container {
  value: object;
  /** The object's keys; null for an array. */
  keys: string[] | null;
  /** The index of the next child to take (its length: done). */
  next: number;
  /** How many children it has. */
  length: number;
  path: string;
  /** Whether `path` was cut to `MAX_PROBLEM_PATH_CHARS`. */
  cut: boolean;
  /** The field name the container holds (an array's items are checked by it). */
  key: string;
}

/**
 * Every string of an event checked by its kind: identifiers (by field name: `id`, `source`, `subject`,
 * `…Id`, `…Ref`, `…Code`) with `identifierProblem`, everything else with `textProblem`. Walks without
 * recursion, so a deeply nested body cannot overflow the stack. Returns at most `max` problems, field names
 * included (the rest are counted, never built: see `countedFieldProblems`). Order: the body's as JavaScript
 * holds it (`Object.keys`: names that are array indexes, such as "2", before the others), depth first —
 * a container's field names first, then its children in order, each child's whole content before the next
 * child. A field's path is built only when it has a problem: walking an event allocates per container,
 * not per field.
 */
export function stringFieldProblems(
  event: unknown,
  limits: StringLimits,
  max = 20,
): Array<{ field: string; message: string }> {
  return countedFieldProblems(event, limits, max).problems;
}

/**
 * The first `max` problems as `stringFieldProblems` lists them (strictly at most `max`), and how many more the
 * event holds (`more`, counted over the whole event without building their paths): for an answer that lists a
 * few and says how many it left out (`moreErrors`).
 */
export function countedFieldProblems(
  event: unknown,
  limits: StringLimits,
  max = 20,
): { problems: Array<{ field: string; message: string }>; more: number } {
  const problems: Array<{ field: string; message: string }> = [];
  let more = 0;
  // Past `max`: a problem is counted, its path never built.
  const full = () => problems.length >= max;
  const containers: Container[] = [];
  // A child's path, cut to `MAX_PROBLEM_PATH_CHARS`; under a container whose path was cut, every field shows
  // that cut path.
  const placeOf = (parent: Container | null, index: number): { path: string; cut: boolean } => {
    if (parent === null) return { path: '', cut: false };
    if (parent.cut) return parent;
    const path =
      parent.keys === null
        ? `${parent.path}[${index}]`
        : parent.path
          ? `${parent.path}.${parent.keys[index]}`
          : parent.keys[index];
    return path.length > MAX_PROBLEM_PATH_CHARS
      ? { path: boundedPath(path), cut: true }
      : { path, cut: false };
  };
  const visit = (value: unknown, key: string, parent: Container | null, index: number): void => {
    if (typeof value === 'string') {
      const problem = IDENTIFIER_KEY.test(key)
        ? identifierProblem(value, limits.identifierLength)
        : textProblem(value, limits.textLength);
      if (problem && full()) more++;
      else if (problem) {
        const { path } = placeOf(parent, index);
        problems.push({ field: path, message: `${path} ${problem}` });
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const { path, cut } = placeOf(parent, index);
    if (Array.isArray(value)) {
      containers.push({ value, keys: null, next: 0, length: value.length, path, cut, key });
      return;
    }
    const keys = Object.keys(value);
    for (const k of keys) {
      const keyProblem = textProblem(k, limits.identifierLength);
      if (keyProblem && full()) more++;
      else if (keyProblem)
        problems.push({ field: path, message: `a field name in ${path || 'the event'} ${keyProblem}` });
    }
    containers.push({ value, keys, next: 0, length: keys.length, path, cut, key });
  };
  visit(event, '', null, -1);
  while (containers.length > 0) {
    const top = containers[containers.length - 1];
    if (top.next >= top.length) {
      containers.pop();
      continue;
    }
    const index = top.next++;
    if (top.keys === null) visit((top.value as unknown[])[index], top.key, top, index);
    else {
      const k = top.keys[index];
      visit((top.value as Record<string, unknown>)[k], k, top, index);
    }
  }
  return { problems, more };
}
