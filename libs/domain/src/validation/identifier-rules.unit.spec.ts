import * as fc from 'fast-check';
import { identifierProblem, stringFieldProblems, textProblem } from './identifier-rules';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 8_2026;

describe('identifier rules', () => {
  it.each([
    ['', 'must not be empty'],
    [' CSG-1', 'white space'],
    ['CSG-1\n', 'white space'],
    ['CSG\u00001', 'U+0000'],
    ['CSG\u001b1', 'U+001B'],
    ['CSG\u202e1', 'U+202E'],
    ['CSG\u200b1', 'U+200B'],
    ['\ufeffCSG', 'white space'],
    ['CS\ufeffG', 'U+FEFF'],
    ['CSG\u00ad1', 'U+00AD'],
    ['CSG-1\u{e0041}\u{e007f}', 'U+E0041'],
    ['CSG\u20621', 'U+2062'],
    ['CSG\u00851', 'U+0085'],
    ['CSG\u009b1', 'U+009B'],
    ['CSG\u20281', 'U+2028'],
    ['CSG\u20291', 'U+2029'],
    ['CSG\u{1d173}1', 'U+1D173'],
    ['CSG\ud8001', 'lone surrogate'],
    ['x'.repeat(257), 'at most 256'],
    // Blank and default-ignorable characters that look like a space or like nothing.
    ['CSG\u034f1', 'U+034F'],
    ['CSG-1\ufe0f', 'U+FE0F'],
    ['CSG\u31641', 'U+3164'],
    ['CSG\u28001', 'U+2800'],
    ['CSG\u00a01', 'U+00A0'],
    ['CSG\u30001', 'U+3000'],
    ['CSG\u202f1', 'U+202F'],
    ['CSG\u20071', 'U+2007'],
    ['CSG\u16801', 'U+1680'],
    ['CSG\u115f1', 'U+115F'],
    ['CSG\uffa01', 'U+FFA0'],
    ['CSG\u{e0100}1', 'U+E0100'],
  ])('refuses %j (%s)', (value, reason) => {
    expect(identifierProblem(value, 256)).toContain(reason);
  });

  it('accepts ordinary ids, URIs and non-Latin names, astral characters included', () => {
    for (const ok of [
      'CSG-2026-0101',
      '/un/sc/1718-committee',
      'urn:uuid:1b4e28ba',
      'Hamhung 함흥',
      'site 🚢 7',
    ])
      expect(identifierProblem(ok, 256)).toBeUndefined();
  });

  it('lets free text carry line breaks and tabs, but not NUL or bidi overrides', () => {
    expect(textProblem('line one\nline two\tend', 4096)).toBeUndefined();
    expect(textProblem('a\u0000b', 4096)).toContain('U+0000');
    expect(textProblem('a\u202eb', 4096)).toContain('U+202E');
  });

  it.each([
    ['a\u0085b', 'U+0085'],
    ['a\u0080b', 'U+0080'],
    ['a\u009fb', 'U+009F'],
    ['a\u2028b', 'U+2028'],
    ['a\u2029b', 'U+2029'],
    ['a\rb', 'U+000D'],
    ['a\r', 'U+000D'],
    ['flag \u{e0067}\u{e0062}', 'U+E0067'],
    ['a\u{e0001}', 'U+E0001'],
  ])('refuses free text %j (%s)', (value, reason) => {
    expect(textProblem(value, 4096)).toContain(reason);
  });

  it('keeps CR LF, joiners and the soft hyphen in free text (ordinary writing)', () => {
    for (const ok of [
      'one\r\ntwo',
      'می\u200cخواهم',
      '👩\u200d⚕️',
      'Sari\u00adwon',
      'Hamhung 함흥',
      'no-break\u00a0space\u3000ideographic',
      '\u2800 braille blank',
    ])
      expect(textProblem(ok, 4096)).toBeUndefined();
  });

  it('property: an identifier passes exactly when it is non-empty, trimmed, short and free of the forbidden characters', () => {
    // Controls, format characters and line/paragraph separators by Unicode category, default-ignorable code
    // points, the Braille blank and white space other than U+0020, as the rule states them.
    const forbidden =
      /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]|(?! )\p{White_Space}/u;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const wellFormed = (value as unknown as { isWellFormed(): boolean }).isWellFormed();
        const expectedOk =
          value.length > 0 &&
          value.length <= 32 &&
          value.trim() === value &&
          wellFormed &&
          !forbidden.test(value);
        expect(identifierProblem(value, 32) === undefined).toBe(expectedOk);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('walks an event without recursion and names each bad field, identifiers by their field name', () => {
    const event = {
      id: 'ok',
      source: ' /src',
      data: { consignmentId: 'C\u200b1', note: 'fine\ntext', items: [{ itemCode: 'A\u0000' }] },
    };
    expect(
      stringFieldProblems(event, { identifierLength: 64, textLength: 100 })
        .map((p) => p.field)
        .sort(),
    ).toEqual(['data.consignmentId', 'data.items[0].itemCode', 'source']);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(stringFieldProblems({ id: 'x', data: deep }, { identifierLength: 64, textLength: 100 })).toEqual(
      [],
    );
  });
});
