import { RE2JS } from 're2js';
import { LabelNames, type AlertLabels, type LabelName } from './alert-labels';

/**
 * One condition on a label, as in Alertmanager's API v2: `isEqual: false` negates, `isRegex: true` matches
 * the value as a whole-string regular expression in RE2 syntax (what Alertmanager itself uses, Go's
 * `regexp`), run by `re2js`, a linear-time engine: no pattern can backtrack, whatever the input.
 */
export interface Matcher {
  name: LabelName;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

/**
 * Limits checked before a matcher is stored. A label value is an identifier (contract "Identifiers": at
 * most 256 characters), so a longer matcher value can match nothing useful. RE2 time is linear in input
 * length × program size; 500 instructions keep one match of a 256-character value well under 1 ms
 * (`(.*){1000}`, 4,004 instructions, takes about 0.3 ms), and RE2 refuses repeat counts above 1,000.
 */
export const MatcherLimits = {
  /** Longest matcher value, characters. */
  valueLength: 256,
  /** Largest compiled regular expression, RE2 program instructions (`programSize`). */
  regexProgramSize: 500,
  /** Most matchers in one silence. */
  matchers: 20,
} as const;

export class InvalidMatcherError extends Error {}

/** Compiled patterns by matcher value (bounded: an old entry is dropped once the cache is full). */
const compiled = new Map<string, RE2JS | null>();
/**
 * The compiled pattern of each matcher object (a stored silence's matchers live as long as the silence):
 * with more distinct patterns than the shared cache holds (1,000 silences of 20 matchers), every
 * evaluation would otherwise compile its pattern again.
 */
const compiledFor = new WeakMap<Matcher, RE2JS | null>();
const COMPILED_CACHE_SIZE = 1000;

/**
 * The whole-string RE2 program of `value`, or null when it breaks a limit or RE2 refuses it: a matcher
 * stored before the limits existed then matches nothing instead of costing every reader.
 */
function patternOf(value: string): RE2JS | null {
  if (value.length > MatcherLimits.valueLength) return null;
  let pattern = compiled.get(value);
  if (pattern !== undefined) return pattern;
  try {
    pattern = RE2JS.compile(`^(?:${value})$`);
    if (pattern.programSize() > MatcherLimits.regexProgramSize) pattern = null;
  } catch {
    pattern = null;
  }
  if (compiled.size >= COMPILED_CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(value, pattern);
  return pattern;
}

/**
 * Throws InvalidMatcherError naming the problem: unknown label, empty or over-long value (see
 * MatcherLimits), a regular expression RE2 does not accept (backreferences, look-around) or one whose
 * program is too large.
 */
export function validateMatcher(m: Matcher): void {
  if (!LabelNames.includes(m.name))
    throw new InvalidMatcherError(`unknown label "${String(m.name)}"; one of ${LabelNames.join(', ')}`);
  if (typeof m.value !== 'string' || m.value === '')
    throw new InvalidMatcherError(`matcher on "${m.name}" needs a value`);
  if (m.value.length > MatcherLimits.valueLength)
    throw new InvalidMatcherError(
      `matcher on "${m.name}": value must be at most ${MatcherLimits.valueLength} characters (is ${m.value.length})`,
    );
  if (m.isRegex) {
    let pattern: RE2JS;
    try {
      pattern = RE2JS.compile(`^(?:${m.value})$`);
    } catch (error) {
      throw new InvalidMatcherError(
        `matcher on "${m.name}": not a regular expression in RE2 syntax (${(error as Error).message})`,
      );
    }
    if (pattern.programSize() > MatcherLimits.regexProgramSize)
      throw new InvalidMatcherError(
        `matcher on "${m.name}": regular expression too complex (${pattern.programSize()} RE2 instructions; at most ${MatcherLimits.regexProgramSize})`,
      );
  }
}

export function matcherMatches(m: Matcher, labels: AlertLabels): boolean {
  const values = labels[m.name] ?? [];
  let hit: boolean;
  if (m.isRegex) {
    let pattern = compiledFor.get(m);
    if (pattern === undefined) compiledFor.set(m, (pattern = patternOf(m.value)));
    hit = pattern !== null && values.some((v) => pattern.matches(v));
  } else hit = values.includes(m.value);
  return m.isEqual === false ? !hit : hit;
}

/** Whether every matcher matches; plain (equality) matchers are judged first, as they cost least. */
export const allMatch = (matchers: readonly Matcher[], labels: AlertLabels): boolean =>
  matchers.every((m) => m.isRegex || matcherMatches(m, labels)) &&
  matchers.every((m) => !m.isRegex || matcherMatches(m, labels));
