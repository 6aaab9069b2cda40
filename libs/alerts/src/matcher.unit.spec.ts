import fc from 'fast-check';
import type { AlertLabels } from './alert-labels';
import { InvalidMatcherError, MatcherLimits, matcherMatches, validateMatcher, type Matcher } from './matcher';

const labels = (consignmentId: string[]): AlertLabels => ({
  rule: ['encounter'],
  severity: ['high'],
  consignmentId,
  vessel: [],
  exemptionId: [],
  organisation: [],
  siteId: [],
});

/** Patterns that take exponential time in a backtracking engine (OWASP "ReDoS"). */
const CatastrophicPatterns = [
  '(a+)+',
  '(a|aa)+',
  '(a|a?)+',
  '(.*a){12}',
  '(x+x+)+y',
  '([a-zA-Z]+)*',
  '(\\w+\\s?)*',
];

describe('matchers', () => {
  it('run the known catastrophic patterns on maximal labels and still answer correctly', () => {
    const evil = `${'a'.repeat(MatcherLimits.valueLength - 1)}!`;
    for (const value of CatastrophicPatterns) {
      const m: Matcher = { name: 'consignmentId', value, isRegex: true };
      expect(() => validateMatcher(m)).not.toThrow();
      expect(matcherMatches(m, labels([evil, evil, evil]))).toBe(false);
    }
    expect(matcherMatches({ name: 'consignmentId', value: '(a+)+', isRegex: true }, labels(['aaaa']))).toBe(
      true,
    );
  });

  it.each([
    ['a backreference', '(a)\\1'],
    ['a look-ahead', 'a(?=b)'],
    ['an unbalanced group', '(a'],
    ['a repeat count above 1,000', 'a{1001}'],
    ['a program too large', '(.*){200}'],
    ['a value over the length limit', 'a'.repeat(MatcherLimits.valueLength + 1)],
  ])('refuse %s before it is stored', (_what, value) => {
    expect(() => validateMatcher({ name: 'consignmentId', value, isRegex: true })).toThrow(
      InvalidMatcherError,
    );
  });

  it('match nothing when a stored matcher breaks the limits (one from before they existed)', () => {
    const huge = { name: 'consignmentId' as const, value: `${'(a|aa)+'.repeat(40_000)}`, isRegex: true };
    expect(matcherMatches(huge, labels(['a'.repeat(200)]))).toBe(false);
    expect(matcherMatches({ ...huge, value: '(a)\\1' }, labels(['aa']))).toBe(false);
  });

  it('property: an escaped literal as a regular expression matches exactly what equality matches', () => {
    const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    const id = fc.string({
      unit: fc.constantFrom('a', 'B', '-', '.', '(', '*', '1', '|'),
      minLength: 1,
      maxLength: 12,
    });
    fc.assert(
      fc.property(id, fc.array(id, { maxLength: 4 }), fc.boolean(), (value, values, isEqual) => {
        const exact = matcherMatches({ name: 'consignmentId', value, isEqual }, labels(values));
        const regex = matcherMatches(
          { name: 'consignmentId', value: escape(value), isRegex: true, isEqual },
          labels(values),
        );
        expect(regex).toBe(exact);
      }),
    );
  });
});
