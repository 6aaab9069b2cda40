import * as fc from 'fast-check';
import {
  countedFieldProblems,
  identifierProblem,
  MAX_PROBLEM_PATH_CHARS,
  stringFieldProblems,
  textProblem,
} from './identifier-rules';

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

/**
 * The walk `stringFieldProblems` made before it built paths only for problems: a stack of every field with
 * its path (children pushed last first, so they come out in the body's order). Kept here to hold the walk to
 * the same answers, order and cap included.
 */
function stringFieldProblemsByStack(
  event: unknown,
  limits: { identifierLength: number; textLength: number },
  max = 20,
): Array<{ field: string; message: string }> {
  const IDENTIFIER_KEY =
    /(^|[a-z])(Id|Ref|Code)$|^(id|source|subject|type|specversion|mmsi|imo|locode|billOfLading|callsign|unit)$/;
  const problems: Array<{ field: string; message: string }> = [];
  const stack: Array<{ value: unknown; path: string; key: string }> = [{ value: event, path: '', key: '' }];
  while (stack.length > 0 && problems.length < max) {
    const { value, path, key } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = IDENTIFIER_KEY.test(key)
        ? identifierProblem(value, limits.identifierLength)
        : textProblem(value, limits.textLength);
      if (problem) problems.push({ field: path, message: `${path} ${problem}` });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: `${path}[${i}]`, key });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (const [k] of entries) {
        const keyProblem = textProblem(k, limits.identifierLength);
        if (keyProblem)
          problems.push({ field: path, message: `a field name in ${path || 'the event'} ${keyProblem}` });
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i];
        stack.push({ value: v, path: path ? `${path}.${k}` : k, key: k });
      }
    }
  }
  return problems;
}

describe('stringFieldProblems walks as the stack-based walk did', () => {
  // Strings from a small alphabet rich in what the rules refuse, and field names that are identifiers or not.
  const char = fc.constantFrom(
    'a',
    'Z',
    '1',
    ' ',
    '-',
    '\u0000',
    '\n',
    '\r',
    '\t',
    '\u200b',
    '\u202e',
    '\u00a0',
    '\ud800',
    '\u2028',
    '\u{1F600}',
    'é',
  );
  const text = fc.array(char, { maxLength: 8 }).map((cs) => cs.join(''));
  const key = fc.oneof(
    fc.constantFrom('id', 'source', 'consignmentId', 'mmsi', 'unit', 'note', 'name', 'items', 'data', ''),
    text,
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    ),
  }));

  it('lists the first max of all the problems, in the same order, and counts the rest exactly', () => {
    fc.assert(
      fc.property(
        value,
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 8 }),
        (event, max, length) => {
          const limits = { identifierLength: length, textLength: length + 2 };
          const all = stringFieldProblemsByStack(event, limits, Number.POSITIVE_INFINITY);
          // At most `max`, field names included (the stack walk let a container's names pass the cap).
          expect(stringFieldProblems(event, limits, max)).toEqual(all.slice(0, max));
          expect(countedFieldProblems(event, limits, max)).toEqual({
            problems: all.slice(0, max),
            more: Math.max(0, all.length - max),
          });
        },
      ),
      { seed: 20261207, numRuns: 3000 },
    );
  });

  it('lists problems in the order of the body, depth first', () => {
    const event = { data: { a: '\u0001', b: { c: '\u0002', d: ['\u0003', '\u0004'] }, e: '\u0005' } };
    const fields = stringFieldProblems(event, { identifierLength: 64, textLength: 64 }).map((p) => p.field);
    expect(fields).toEqual(['data.a', 'data.b.c', 'data.b.d[0]', 'data.b.d[1]', 'data.e']);
  });
});

describe('stringFieldProblems on hostile names', () => {
  it('lists at most max problems however many bad field names one object holds, and counts the rest', () => {
    const names = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`bad\u0001${i}`, i]));
    const limits = { identifierLength: 64, textLength: 64 };
    expect(stringFieldProblems({ data: names }, limits)).toHaveLength(20);
    expect(countedFieldProblems({ data: names }, limits)).toMatchObject({ more: 4980 });
  });

  it('repeats at most MAX_PROBLEM_PATH_CHARS of a path, however long the names on the way', () => {
    const long = 'k'.repeat(1_000_000);
    // The emoji's high surrogate falls on the last character kept ("data." and 294 characters before it).
    const split = `${'k'.repeat(294)}😀tail`;
    const event = { data: { [split]: { a: '\u0002' }, [long]: Array.from({ length: 20 }, () => '\u0001') } };
    const problems = stringFieldProblems(event, { identifierLength: 256, textLength: 1000 });
    expect(problems.length).toBeGreaterThanOrEqual(20);
    for (const { field, message } of problems) {
      expect(field.length).toBeLessThanOrEqual(MAX_PROBLEM_PATH_CHARS + 1);
      expect(message.length).toBeLessThan(MAX_PROBLEM_PATH_CHARS + 200);
      // Problems of the names themselves (too long) name their container.
      expect(field === 'data' || field.startsWith('data.kkk')).toBe(true);
      // Cut at a code point: no lone surrogate is made.
      expect(/\p{Cs}/u.test(field)).toBe(false);
    }
    expect(problems.some((p) => p.field.endsWith('…'))).toBe(true);
    expect(problems.some((p) => p.field === `data.${'k'.repeat(294)}…`)).toBe(true);
    // A short path is kept whole.
    expect(
      stringFieldProblems({ data: { note: '\u0001' } }, { identifierLength: 256, textLength: 1000 })[0].field,
    ).toBe('data.note');
  });
});
