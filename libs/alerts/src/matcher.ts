import { LabelNames, type AlertLabels, type LabelName } from './alert-labels';

/**
 * One condition on a label, as in Alertmanager's API v2: `isEqual: false` negates, `isRegex: true` matches
 * the value as a whole-string regular expression.
 */
export interface Matcher {
  name: LabelName;
  value: string;
  isRegex?: boolean;
  isEqual?: boolean;
}

export class InvalidMatcherError extends Error {}

/** Throws InvalidMatcherError naming the problem (unknown label, empty value, bad regular expression). */
export function validateMatcher(m: Matcher): void {
  if (!LabelNames.includes(m.name))
    throw new InvalidMatcherError(`unknown label "${String(m.name)}"; one of ${LabelNames.join(', ')}`);
  if (typeof m.value !== 'string' || m.value === '')
    throw new InvalidMatcherError(`matcher on "${m.name}" needs a value`);
  if (m.isRegex) {
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch (error) {
      throw new InvalidMatcherError(`matcher on "${m.name}": ${(error as Error).message}`);
    }
  }
}

export function matcherMatches(m: Matcher, labels: AlertLabels): boolean {
  const values = labels[m.name] ?? [];
  const test = m.isRegex
    ? (v: string) => new RegExp(`^(?:${m.value})$`).test(v)
    : (v: string) => v === m.value;
  const hit = values.some(test);
  return m.isEqual === false ? !hit : hit;
}

export const allMatch = (matchers: readonly Matcher[], labels: AlertLabels): boolean =>
  matchers.every((m) => matcherMatches(m, labels));
