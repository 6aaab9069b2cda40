import fc from 'fast-check';
import type { Alert, AlertHistoryEntry } from './alert-book';
import type { AlertLabels } from './alert-labels';
import {
  labelsSeenBy,
  ownConsignmentIds,
  REDACTED,
  redactAlertFor,
  redactPublishedFor,
  type AuthorStanding,
  type ConsignmentOwnership,
  type RedactionFacts,
} from './redaction';

/** Two organisations sharing a vessel: A (C-A1, C-A2) and B (C-B1); a site both name. */
const owners = new Map<string, ConsignmentOwnership>([
  ['C-A1', { organisation: 'Org A', exemptionId: 'EX-A', siteIds: ['S-A', 'S-SHARED'] }],
  ['C-A2', { organisation: 'Org A', exemptionId: 'EX-A', siteIds: ['S-A', 'S-SHARED'] }],
  ['C-B1', { organisation: 'Org B', exemptionId: 'EX-B', siteIds: ['S-B', 'S-SHARED'] }],
]);
const authors = new Map<string, AuthorStanding>([
  ['key:a', { tenant: 'Org A' }],
  ['key:b', { tenant: 'Org B' }],
  ['key:op', { operator: true }],
]);
const facts: RedactionFacts = { ownerOf: (id) => owners.get(id), authorOf: (by) => authors.get(by) };

const entry = (type: AlertHistoryEntry['type'], by: string, extra: Partial<AlertHistoryEntry> = {}) => ({
  type,
  by,
  at: '2026-10-01T00:00:00Z',
  eventId: `ev-${by}-${type}`,
  ...extra,
});

function sharedAlert(overrides: Partial<Alert> = {}): Alert {
  const consignmentIds = ['C-A1', 'C-B1'];
  return {
    alertId: 'fp-1',
    rule: 'encounter',
    severity: 'high',
    subject: { kind: 'vessel', id: '412000001' },
    consignmentIds,
    labels: {
      rule: ['encounter'],
      severity: ['high'],
      consignmentId: consignmentIds,
      vessel: ['412000001'],
      exemptionId: ['EX-A', 'EX-B'],
      organisation: ['Org A', 'Org B'],
      siteId: ['S-B'],
    },
    status: 'firing',
    flag: {
      flagId: 'flag-1',
      fingerprint: 'fp-1',
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: '412000001' },
      consignmentIds,
      observed: { consignmentsOnBoard: consignmentIds, siteId: 'S-B' },
      threshold: {},
      evidence: ['C-A1/loaded', 'C-B1/loaded'],
      explanation: 'Vessel 412000001 met a designated vessel near S-B; aid on board: C-A1, C-B1.',
      raisedAt: '2026-10-01T00:00:00Z',
    },
    flagIds: ['flag-1'],
    openFlagIds: ['flag-1'],
    occurrences: 1,
    firstRaisedAt: '2026-10-01T00:00:00Z',
    lastRaisedAt: '2026-10-01T00:00:00Z',
    lifecycleEvents: 0,
    history: [
      entry('raised', 'detector', { flagId: 'flag-1' }),
      entry('commented', 'key:a', { note: 'A called the port about C-A1' }),
      entry('commented', 'key:b', { note: 'B suspects the skipper' }),
      entry('commented', 'key:op', { note: 'operator: C-B1 is Org B’s, C-A1 is Org A’s' }),
      entry('commented', 'jwt:idp#someone', { note: 'said by a token' }),
    ],
    ...overrides,
  };
}

describe('redactAlertFor: an alert shared by two organisations', () => {
  it('gives an operator the alert itself', () => {
    const alert = sharedAlert();
    expect(redactAlertFor({}, alert, facts)).toBe(alert);
  });

  it('gives Org A its own identifiers, notes and the operator’s, and nothing of Org B', () => {
    const seen = redactAlertFor({ tenant: 'Org A' }, sharedAlert(), facts);
    expect(seen.alertId).toBe('fp-1');
    expect(seen.flagIds).toEqual(['flag-1']);
    expect(seen.flag.flagId).toBe('flag-1');
    expect(seen.flag.fingerprint).toBe('fp-1');
    expect(seen.consignmentIds).toEqual(['C-A1']);
    expect(seen.labels).toEqual({
      rule: ['encounter'],
      severity: ['high'],
      consignmentId: ['C-A1'],
      vessel: ['412000001'],
      exemptionId: ['EX-A'],
      organisation: ['Org A'],
      siteId: [],
    });
    expect(seen.flag.explanation).toBe(
      `Vessel 412000001 met a designated vessel near ${REDACTED}; aid on board: C-A1, ${REDACTED}.`,
    );
    expect(seen.flag.observed).toEqual({ consignmentsOnBoard: ['C-A1'], siteId: REDACTED });
    expect(seen.flag.evidence).toEqual(['C-A1/loaded']);
    expect(seen.history.map((h) => [h.by, h.note])).toEqual([
      ['detector', undefined],
      ['key:a', 'A called the port about C-A1'],
      [REDACTED, undefined],
      ['key:op', `operator: ${REDACTED} is ${REDACTED}’s, C-A1 is Org A’s`],
      [REDACTED, undefined],
    ]);
    // Event ids of the history (the audit trail) are kept.
    expect(seen.history.map((h) => h.eventId)).toEqual(sharedAlert().history.map((h) => h.eventId));
  });

  it('names a run of another organisation’s identifiers once (neither which nor how many)', () => {
    const alert = sharedAlert();
    const many = {
      ...alert,
      consignmentIds: ['C-A1', 'C-B1', 'C-X'],
      flag: { ...alert.flag, explanation: 'Aid on board: C-B1, C-X and C-A1 (Org B; Org A).' },
    };
    expect(redactAlertFor({ tenant: 'Org A' }, many, facts).flag.explanation).toBe(
      `Aid on board: ${REDACTED} and C-A1 (${REDACTED}; Org A).`,
    );
    expect(redactAlertFor({ tenant: 'Org B' }, many, facts).flag.explanation).toBe(
      `Aid on board: C-B1, ${REDACTED} (Org B; ${REDACTED}).`,
    );
  });

  it('leaves out an assignee set by another organisation, keeps one set by an operator', () => {
    const byB = sharedAlert({
      assignee: 'B’s field lead',
      history: [entry('assigned', 'key:b', { assignee: 'B’s field lead', note: 'to ours' })],
    });
    const seenByA = redactAlertFor({ tenant: 'Org A' }, byB, facts);
    expect(seenByA.assignee).toBeUndefined();
    expect(seenByA.history).toEqual([
      { type: 'assigned', by: REDACTED, at: byB.history[0].at, eventId: byB.history[0].eventId },
    ]);
    expect(redactAlertFor({ tenant: 'Org B' }, byB, facts).assignee).toBe('B’s field lead');
    const byOperator = sharedAlert({
      assignee: 'desk',
      history: [entry('assigned', 'key:op', { assignee: 'desk' })],
    });
    expect(redactAlertFor({ tenant: 'Org A' }, byOperator, facts).assignee).toBe('desk');
    // Without a recorded assignment, a shared alert's assignee is nobody's to show.
    expect(
      redactAlertFor({ tenant: 'Org A' }, sharedAlert({ assignee: 'x', history: [] }), facts).assignee,
    ).toBeUndefined();
  });

  it('shows a token’s note on an alert of the reader’s organisation alone, never another organisation’s key', () => {
    const alone = sharedAlert({
      consignmentIds: ['C-A1', 'C-A2'],
      labels: { ...sharedAlert().labels, consignmentId: ['C-A1', 'C-A2'], organisation: ['Org A'] },
      history: [
        entry('commented', 'jwt:idp#a-user', { note: 'ours' }),
        // Before an operator moved the consignment, B commented: still B's note.
        entry('commented', 'key:b', { note: 'B wrote this' }),
      ],
    });
    const seen = redactAlertFor({ tenant: 'Org A' }, alone, facts);
    expect(seen.history.map((h) => h.note)).toEqual(['ours', undefined]);
  });

  it('names the author of a hidden entry REDACTED in byName too', () => {
    const alert = {
      ...sharedAlert(),
      history: [{ ...entry('commented', 'key:b', { note: 'n' }), byName: 'Org B desk' }],
    };
    expect(redactAlertFor({ tenant: 'Org A' }, alert, facts).history).toEqual([
      {
        type: 'commented',
        by: REDACTED,
        byName: REDACTED,
        at: alert.history[0].at,
        eventId: alert.history[0].eventId,
      },
    ]);
  });
});

describe('redactPublishedFor: stream frames and webhook payloads', () => {
  const commented = (by: string) => ({
    type: 'aidwatch.alert.commented.v1',
    subject: '412000001',
    data: {
      alertId: 'fp-1',
      by,
      at: '2026-10-01T00:00:00Z',
      note: 'about C-B1 at S-B',
      alert: { alertId: 'fp-1', consignmentIds: ['C-A1', 'C-B1'] },
    },
  });

  it('leaves out another organisation’s action’s author and note, and its identifiers', () => {
    expect(
      redactPublishedFor(
        { tenant: 'Org A' },
        commented('key:b'),
        { consignmentIds: ['C-A1', 'C-B1'] },
        facts,
      ),
    ).toEqual({
      type: 'aidwatch.alert.commented.v1',
      subject: '412000001',
      data: {
        alertId: 'fp-1',
        by: REDACTED,
        at: '2026-10-01T00:00:00Z',
        alert: { alertId: 'fp-1', consignmentIds: ['C-A1'] },
      },
    });
  });

  it('keeps the reader’s own note, without another organisation’s identifiers; an operator gets it whole', () => {
    const own = redactPublishedFor(
      { tenant: 'Org A' },
      commented('key:a'),
      { consignmentIds: ['C-A1', 'C-B1'] },
      facts,
    );
    expect(own.data.note).toBe(`about ${REDACTED} at ${REDACTED}`);
    expect(own.data.by).toBe('key:a');
    const event = commented('key:b');
    expect(redactPublishedFor({}, event, { consignmentIds: ['C-A1', 'C-B1'] }, facts)).toBe(event);
  });
});

describe('labels and groups', () => {
  const labels: AlertLabels = sharedAlert().labels;
  it('labelsSeenBy keeps the reader’s own values and a site both organisations name', () => {
    expect(
      labelsSeenBy({ tenant: 'Org B' }, { ...labels, siteId: ['S-SHARED', 'S-A'] }, facts.ownerOf),
    ).toEqual({
      ...labels,
      consignmentId: ['C-B1'],
      exemptionId: ['EX-B'],
      organisation: ['Org B'],
      siteId: ['S-SHARED'],
    });
    expect(labelsSeenBy({}, labels, facts.ownerOf)).toBe(labels);
  });
  it('ownConsignmentIds: a tenant’s own consignments, all for an operator', () => {
    expect(ownConsignmentIds({ tenant: 'Org A' }, ['C-A1', 'C-B1', 'C-X'], facts.ownerOf)).toEqual(['C-A1']);
    expect(ownConsignmentIds({}, ['C-A1', 'C-B1', 'C-X'], facts.ownerOf)).toEqual(['C-A1', 'C-B1', 'C-X']);
  });
});

/**
 * Property: over generated alerts shared by two or three organisations (exemptions with their own and
 * shared sites, consignments of each and of no known owner aboard one vessel, comments and assignments
 * by each organisation's credentials, operators, the detector and tokens), a reader of organisation X
 * never receives another organisation's consignment id, exemption id, organisation name, site id or
 * note, as a value or a whole token in any text; it keeps its own consignments, and the alert, flag and
 * history event ids are unchanged.
 */
describe('property: no reader receives another organisation’s identifiers or notes', () => {
  const NAMES = ['Org Alpha', 'Médecins B', 'WFP-C', 'Société D'];
  const story = fc
    .record({
      names: fc.shuffledSubarray(NAMES, { minLength: 2, maxLength: 3 }),
      consignmentsPer: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
      sitesPer: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
      sharedSite: fc.boolean(),
      unknownAboard: fc.boolean(),
      suffix: fc.stringMatching(/^[0-9a-z]{1,4}$/),
    })
    .chain((s) => {
      const organisations = s.names.map((name, i) => {
        const exemptionId = `EX-${s.suffix}-${i}`;
        const siteIds = [
          ...Array.from({ length: s.sitesPer[i] }, (_, k) => `S-${s.suffix}-${i}-${k}`),
          // One site named by the first two organisations' exemptions.
          ...(s.sharedSite && i < 2 ? [`S-${s.suffix}-shared`] : []),
        ];
        const consignments = Array.from(
          { length: s.consignmentsPer[i] },
          (_, k) => `C-${s.suffix}-${i}-${k}`,
        );
        return { name, exemptionId, siteIds, consignments };
      });
      const all = organisations.flatMap((o) => o.consignments);
      const authorsOf = [...organisations.map((o) => `key:${o.name}`), 'key:op', 'detector', 'jwt:idp#x'];
      return fc.record({
        organisations: fc.constant(organisations),
        unknown: fc.constant(s.unknownAboard ? [`C-${s.suffix}-unknown`] : []),
        // Every organisation has aid aboard (the alert is shared by all of them).
        extra: fc.subarray(all),
        explanation: fc.array(
          fc.oneof(
            fc.constantFrom(...all, ...organisations.flatMap((o) => [o.name, o.exemptionId, ...o.siteIds])),
            fc.constantFrom(' ', ', ', ' and ', '; ', ' (', ') ', '/', 'vessel 412000001 '),
          ),
          { maxLength: 25 },
        ),
        history: fc.array(
          fc.record({
            type: fc.constantFrom('commented', 'acknowledged', 'assigned'),
            by: fc.constantFrom(...authorsOf),
            mentions: fc.subarray([...all, ...organisations.map((o) => o.name)], { maxLength: 3 }),
          }),
          { maxLength: 8 },
        ),
        assignee: fc.option(fc.constant('a desk'), { nil: undefined }),
      });
    });

  it('holds for every reader of every generated alert', () => {
    fc.assert(
      fc.property(story, (g) => {
        const ownership = new Map<string, ConsignmentOwnership>();
        for (const o of g.organisations)
          for (const c of o.consignments)
            ownership.set(c, { organisation: o.name, exemptionId: o.exemptionId, siteIds: o.siteIds });
        const standing = new Map<string, AuthorStanding>([
          ...g.organisations.map((o) => [`key:${o.name}`, { tenant: o.name }] as const),
          ['key:op', { operator: true }],
        ]);
        const facts: RedactionFacts = {
          ownerOf: (id) => ownership.get(id),
          authorOf: (by) => standing.get(by),
        };
        const consignmentIds = [
          ...new Set([...g.organisations.map((o) => o.consignments[0]), ...g.extra, ...g.unknown]),
        ].sort();
        const notes: Array<{ by: string; note: string }> = [];
        const history = g.history.map((h, i) => {
          // A note names what the alert concerns (redaction judges the identifiers of its consignments).
          const named = h.mentions.filter((m) => consignmentIds.includes(m) || !m.startsWith('C-'));
          const note = `note-${i}-${h.by.replace(/\W/g, '')} on ${named.join(', ')}`;
          notes.push({ by: h.by, note });
          return entry(h.type as AlertHistoryEntry['type'], h.by, {
            note,
            ...(h.type === 'assigned' ? { assignee: 'a desk' } : {}),
          });
        });
        const exemptions = [
          ...new Set(consignmentIds.flatMap((c) => ownership.get(c)?.exemptionId ?? [])),
        ].sort();
        const alert = sharedAlert({
          consignmentIds,
          labels: {
            rule: ['encounter'],
            severity: ['high'],
            consignmentId: consignmentIds,
            vessel: ['412000001'],
            exemptionId: exemptions,
            organisation: g.organisations.map((o) => o.name).sort(),
            siteId: g.organisations.flatMap((o) => o.siteIds.slice(0, 1)),
          },
          flag: {
            ...sharedAlert().flag,
            consignmentIds,
            observed: { consignmentsOnBoard: consignmentIds, siteId: g.organisations[1].siteIds[0] },
            evidence: consignmentIds.map((c) => `${c}/loaded`),
            // A sentence names the consignments the flag concerns, their organisations, exemptions and sites.
            explanation: g.explanation
              .filter((p) => !p.startsWith('C-') || consignmentIds.includes(p))
              .join(''),
          },
          assignee: g.assignee,
          history,
        });
        const before = JSON.stringify(alert);
        expect(redactAlertFor({}, alert, facts)).toBe(alert);
        for (const reader of g.organisations) {
          const mine = new Set([reader.name, reader.exemptionId, ...reader.siteIds, ...reader.consignments]);
          const foreign = new Set<string>(g.unknown);
          for (const other of g.organisations)
            if (other !== reader)
              for (const id of [other.name, other.exemptionId, ...other.siteIds, ...other.consignments])
                if (!mine.has(id)) foreign.add(id);
          const seen = redactAlertFor({ tenant: reader.name }, alert, facts);
          const text = JSON.stringify(seen);
          for (const id of foreign) {
            expect(wholeToken(id).test(text) ? id : null).toBeNull();
          }
          for (const { by, note } of notes)
            if (by.startsWith('key:') && by !== `key:${reader.name}` && by !== 'key:op')
              expect(text.includes(note.slice(0, note.indexOf(' on ')))).toBe(false);
          // Its own consignments and the identity of the alert, flag and history stay.
          for (const c of consignmentIds)
            if (reader.consignments.includes(c)) expect(seen.consignmentIds).toContain(c);
          expect([seen.alertId, seen.flag.flagId, seen.flag.fingerprint, seen.flagIds]).toEqual([
            alert.alertId,
            alert.flag.flagId,
            alert.flag.fingerprint,
            alert.flagIds,
          ]);
          expect(seen.history.map((h) => h.eventId)).toEqual(alert.history.map((h) => h.eventId));
        }
        expect(JSON.stringify(alert)).toBe(before); // nothing stored is changed
      }),
      { numRuns: 300 },
    );
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholeToken = (id: string) => new RegExp(`(?<![\\p{L}\\p{N}_-])${escape(id)}(?![\\p{L}\\p{N}_-])`, 'u');
