import fc from 'fast-check';
import { SampleBuilders } from '../testing/samples';
import { CompiledEventValidator, validateInboundEvent } from './compiled-event-validator';
import { validateCloudEvent } from './validate-cloud-event';

// The compiled (Ajv) validator must judge exactly as the class-validator one: same verdict, same fields.

const seed = process.env.FC_SEED === undefined ? 20261130 : Number(process.env.FC_SEED);
const runs = { seed, numRuns: 1000 };
const compiled = new CompiledEventValidator();

type Verdict = { ok: boolean; fields: string[]; event?: unknown };
const verdict = (result: ReturnType<typeof validateCloudEvent>): Verdict =>
  result.ok
    ? { ok: true, fields: [], event: result.event }
    : { ok: false, fields: [...new Set(result.errors.map((e) => e.field))].sort() };

const bothJudge = (input: unknown) => ({
  reference: verdict(validateCloudEvent(structuredClone(input))),
  compiled: verdict(compiled.validate(structuredClone(input))),
});

/** Fails with the input written out, so a counterexample reads without a debugger. */
function expectAgreement(input: unknown): void {
  const { reference, compiled: fast } = bothJudge(input);
  // The verdict alone (the hot path's) is the same as the worded one.
  const accepted = compiled.accepted(structuredClone(input));
  if ((accepted !== undefined) !== fast.ok)
    throw new Error(`accepted() disagrees on ${JSON.stringify(input)}`);
  if (JSON.stringify(fast) !== JSON.stringify(reference)) {
    throw new Error(
      `disagreement on ${JSON.stringify(input)}\nclass-validator: ${JSON.stringify(reference.fields)}\ncompiled: ${JSON.stringify(fast.fields)}`,
    );
  }
}

const samples = Object.values(SampleBuilders).map((build) => build());

/** Every path (as keys) into a JSON value, the root excluded. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  return [];
}

function mutate(event: unknown, path: Array<string | number>, change: Change): unknown {
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (change.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (change.kind === 'replace') parent[last] = change.value;
  else if (typeof parent === 'object' && !Array.isArray(parent)) parent[change.name] = change.value;
  return copy;
}

type Change =
  { kind: 'delete' } | { kind: 'replace'; value: unknown } | { kind: 'add'; name: string; value: unknown };

// Values near the edges of the rules: empty and blank strings, bad and good times, range limits, codes.
const edgy = fc.constantFrom<unknown>(
  '',
  ' ',
  '\u00a0\n',
  'xyz',
  'application/json',
  'https://aidwatch.example/schemas/v1',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2024-03-01T06:00:00+09:00',
  '2024-03-01T06:00:00',
  '2024-03-01',
  '1.0',
  '445123000',
  '44512300',
  '8712348',
  'KPNAM',
  'kpnam',
  'a'.repeat(64),
  -1,
  0,
  90,
  90.0001,
  -180,
  181,
  102.2,
  102.3,
  359,
  511,
  512,
  1.5,
  2 ** 31,
  true,
  null,
  [],
  {},
  [{}],
  ['x'],
  // Objects holding a key of Object.prototype's (class-transformer once threw on an own `constructor`).
  JSON.parse('{"constructor":1}'),
  JSON.parse('[{"constructor":{}},{"__proto__":{"x":1}}]'),
  JSON.parse('{"a":{"constructor":"x","toString":2}}'),
);
const value = fc.oneof(edgy, fc.jsonValue({ maxDepth: 2 }));
const name = fc.oneof(
  fc.constantFrom(
    'traceparent',
    'MyExtension',
    'my.extension',
    'data_base64',
    'x'.repeat(21),
    '__proto__',
    // Members of Object.prototype: a field so named must not hide the DTO's class (`constructor` once did).
    ...Object.getOwnPropertyNames(Object.prototype),
  ),
  fc.string({ maxLength: 8 }),
);
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>({ kind: 'delete' }),
  value.map<Change>((v) => ({ kind: 'replace', value: v })),
  fc.record({ name, value }).map<Change>(({ name: n, value: v }) => ({ kind: 'add', name: n, value: v })),
);

const mutatedSample = fc
  .constantFrom(...samples)
  .chain((event) =>
    fc.tuple(fc.constant(event), fc.constantFrom(...pathsOf(event)), change, fc.boolean(), change),
  )
  .map(([event, path, first, twice, second]) => {
    const once = mutate(event, path, first);
    const paths = pathsOf(once);
    return twice && paths.length > 0 ? mutate(once, paths[paths.length >> 1], second) : once;
  });

describe('CompiledEventValidator agrees with validateCloudEvent', () => {
  it.each(samples.map((s) => [s.type, s]))('accepts the sample %s, returning the same event', (_t, event) => {
    const { reference, compiled: fast } = bothJudge(event);
    expect(reference.ok).toBe(true);
    expect(fast).toEqual(reference);
  });

  it('on samples with one or two fields deleted, replaced or added', () => {
    fc.assert(fc.property(mutatedSample, expectAgreement), runs);
  });

  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), expectAgreement), { ...runs, numRuns: 500 });
  });

  it('judges both verdicts in the mutated runs (the generator is not one-sided)', () => {
    const verdicts = fc.sample(mutatedSample, { seed, numRuns: 300 }).map((i) => compiled.validate(i).ok);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });
});

describe('validateInboundEvent (the Kafka and NMEA hot path)', () => {
  it('returns exactly what validateCloudEvent returns, refusals worded alike, on mutated samples', () => {
    fc.assert(
      fc.property(mutatedSample, (input) => {
        const hot = validateInboundEvent(structuredClone(input));
        const reference = validateCloudEvent(structuredClone(input));
        expect(hot).toEqual(reference);
      }),
      { ...runs, numRuns: 500 },
    );
  });
});

describe('the rule between fields (an input is closed only under its own source)', () => {
  it('both validators refuse aidwatch.input.closed.v1 whose data.source is not the event source', () => {
    const other = SampleBuilders['aidwatch.input.closed.v1']({ data: { source: '/ais/other' } });
    const own = SampleBuilders['aidwatch.input.closed.v1']({ source: '/ais/other' });
    for (const judge of [validateCloudEvent, (e: unknown) => compiled.validate(e), validateInboundEvent]) {
      const refused = judge(structuredClone(other));
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.errors.map((e) => e.field)).toEqual(['data.source']);
      expect(judge(structuredClone(own)).ok).toBe(true);
    }
  });
});
