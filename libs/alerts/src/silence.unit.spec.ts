import { silencesMuting, validateSilence, silenceState, type Silence } from './silence';
import { matcherMatches } from './matcher';
import { minute } from './testing/alert-fixtures';

const labels = {
  rule: ['ais-gap'],
  severity: ['high'],
  consignmentId: ['C-1', 'C-2'],
  vessel: ['123456789'],
  exemptionId: [],
  organisation: ['WFP'],
  siteId: [],
};

describe('silences', () => {
  const s: Silence = {
    silenceId: 's',
    matchers: [{ name: 'rule', value: 'ais-gap' }],
    startsAt: minute(10),
    endsAt: minute(20),
    createdBy: 'u',
    comment: 'c',
  };

  it('match an organisation’s silence on the labels as it sees them, an operator’s on all', () => {
    const shared = { ...labels, consignmentId: ['C-1', 'C-2'], organisation: ['WFP', 'FAO'] };
    const seenBy = (tenant: string) => ({
      ...shared,
      consignmentId: tenant === 'WFP' ? ['C-1'] : ['C-2'],
      organisation: [tenant],
    });
    const probe = (tenant?: string): Silence => ({
      ...s,
      silenceId: tenant ?? 'operator',
      matchers: [{ name: 'consignmentId', value: 'C-2', isRegex: true }],
      ...(tenant ? { tenant } : {}),
    });
    const muting = silencesMuting([probe('WFP'), probe('FAO'), probe()], shared, minute(15), seenBy);
    expect(muting.map((m) => m.silenceId)).toEqual(['FAO', 'operator']);
  });

  it('are pending before start, active until endsAt, expired after (or once expired by hand)', () => {
    expect(silenceState(s, minute(5))).toBe('pending');
    expect(silenceState(s, minute(10))).toBe('active');
    expect(silenceState(s, minute(20))).toBe('expired');
    expect(silenceState({ ...s, expiredAt: minute(12) }, minute(15))).toBe('expired');
  });

  it('are refused without matchers, with an unknown label or bad regex, or ending before they start', () => {
    expect(() => validateSilence({ ...s, matchers: [] }, minute(0))).toThrow(/at least one matcher/);
    expect(() =>
      validateSilence({ ...s, matchers: [{ name: 'colour' as never, value: 'x' }] }, minute(0)),
    ).toThrow(/unknown label "colour"/);
    expect(() =>
      validateSilence({ ...s, matchers: [{ name: 'rule', value: '(', isRegex: true }] }, minute(0)),
    ).toThrow(/matcher on "rule"/);
    expect(() => validateSilence({ ...s, endsAt: minute(9) }, minute(0))).toThrow(/after startsAt/);
    expect(() => validateSilence(s, minute(30))).toThrow(/already past/);
    expect(() => validateSilence(s, minute(0))).not.toThrow();
  });

  it('matchers match any value of a label, negate with isEqual: false, and anchor regular expressions', () => {
    expect(matcherMatches({ name: 'consignmentId', value: 'C-2' }, labels)).toBe(true);
    expect(matcherMatches({ name: 'organisation', value: 'WFP', isEqual: false }, labels)).toBe(false);
    expect(matcherMatches({ name: 'rule', value: 'ais', isRegex: true }, labels)).toBe(false);
    expect(matcherMatches({ name: 'rule', value: 'ais-.*', isRegex: true }, labels)).toBe(true);
  });
});
