import fc from 'fast-check';
import { EventTypes } from '@aidwatch/domain';
import { AlertBook, MAX_ALERT_HISTORY, notifiesRecipient, type Alert } from './alert-book';
import { AlertConflictError, decide, type AlertCommand } from './alert-commands';
import { redactAlertFor } from './redaction';
import { cleared, fact, flag, lifecycle, minute, raised } from './testing/alert-fixtures';

/** Organisations A (exemption X-A, consignment C-A) and B (X-B, C-B), both with aid on vessel 123456789. */
function twoOrganisations(): AlertBook {
  const book = new AlertBook();
  for (const [exemptionId, org] of [
    ['X-A', 'A'],
    ['X-B', 'B'],
  ])
    book.apply(
      fact(EventTypes.ExemptionGranted, { exemptionId, implementingOrg: org, sites: [], items: [] }),
    );
  for (const [consignmentId, exemptionId] of [
    ['C-A', 'X-A'],
    ['C-B', 'X-B'],
  ])
    book.apply(
      fact(EventTypes.ConsignmentRegistered, { consignmentId, exemptionId, vessel: { mmsi: '123456789' } }),
    );
  return book;
}

/** The n-th detection of the shared vessel problem: each adds a position report (another occurrence). */
const detection = (n: number) =>
  flag({
    fingerprint: 'vessel-1',
    flagId: `v${n}`,
    rule: 'loitering',
    subject: { kind: 'vessel', id: '123456789' },
    consignmentIds: ['C-A', 'C-B'],
    evidence: Array.from({ length: n }, (_, i) => `p${i}`),
    raisedAt: minute(n),
  });

/** What the API does: an organisation acts on its own view of an alert shared with others. */
function actAs(book: AlertBook, organisation: string | undefined, command: AlertCommand) {
  const alert = book.get('vessel-1')!;
  const shared = organisation !== undefined && book.sharedBeyond(alert, organisation);
  const scope = shared ? organisation : undefined;
  const { type, data } = decide(book.viewOf(alert, scope), command);
  return book.apply(lifecycle(type, scope === undefined ? data : { ...data, organisation: scope }));
}

const byWhom = (org: string | undefined) => (org === undefined ? 'key:operator' : `key:dash-${org}`);
const acknowledge = (org?: string): AlertCommand => ({ kind: 'acknowledge', by: byWhom(org), at: minute(9) });
const resolve = (org?: string): AlertCommand => ({
  kind: 'resolve',
  by: byWhom(org),
  at: minute(9),
  note: 'checked',
});
const assign = (org: string | undefined, assignee: string): AlertCommand => ({
  kind: 'assign',
  by: byWhom(org),
  at: minute(9),
  assignee,
});

describe("AlertBook: each organisation's own view of a shared alert", () => {
  it("A's acknowledgement and assignment change A's view only; B and operators keep the alert's", () => {
    const book = twoOrganisations();
    book.apply(raised(detection(1)));
    const alert = book.get('vessel-1')!;
    expect(book.sharedBeyond(alert, 'A')).toBe(true);
    const c = actAs(book, 'A', acknowledge('A'))!;
    actAs(book, 'A', assign('A', 'a-field-officer'));
    expect(c).toMatchObject({ organisation: 'A', status: 'acknowledged', reason: 'lifecycle' });
    expect(notifiesRecipient(c, 'A')).toBe(true);
    expect(notifiesRecipient(c, undefined)).toBe(true);
    expect(notifiesRecipient(c, 'B')).toBe(false);
    const seenByA = book.viewOf(book.get('vessel-1')!, 'A');
    const seenByB = book.viewOf(book.get('vessel-1')!, 'B');
    expect(seenByA).toMatchObject({ status: 'acknowledged', assignee: 'a-field-officer' });
    expect(seenByA.history.map((e) => e.type)).toEqual(['raised', 'acknowledged', 'assigned']);
    expect(seenByB.status).toBe('firing');
    expect(seenByB.assignee).toBeUndefined();
    expect(seenByB.history.map((e) => e.type)).toEqual(['raised']);
    expect(book.get('vessel-1')).toMatchObject({ status: 'firing' });
    expect(book.get('vessel-1')!.assignee).toBeUndefined();
    // B acts on its own view as if A had done nothing.
    expect(actAs(book, 'B', acknowledge('B'))).toMatchObject({ organisation: 'B', status: 'acknowledged' });
    // A acknowledging again is a conflict in A's view.
    expect(() => actAs(book, 'A', acknowledge('A'))).toThrow(AlertConflictError);
  });

  it("another organisation's comments, however many, never push an organisation's own actions out of its view", () => {
    const book = twoOrganisations();
    book.apply(raised(detection(1)));
    actAs(book, 'B', acknowledge('B'));
    actAs(book, 'B', assign('B', 'bob-b'));
    actAs(book, 'B', { kind: 'comment', by: byWhom('B'), at: minute(9), note: 'B called the port' });
    for (let i = 0; i < 2 * MAX_ALERT_HISTORY; i++)
      actAs(book, 'A', { kind: 'comment', by: byWhom('A'), at: minute(9), note: `A ${i}` });
    const alert = book.get('vessel-1')!;
    const seenByB = book.viewOf(alert, 'B');
    expect(seenByB.history.map((e) => e.type)).toEqual(['raised', 'acknowledged', 'assigned', 'commented']);
    expect(seenByB).toMatchObject({ status: 'acknowledged', assignee: 'bob-b' });
    // Redacted for B, its own assignment (its latest, by its own key) is still shown.
    const facts = {
      ownerOf: (id: string) => ({ 'C-A': { organisation: 'A' }, 'C-B': { organisation: 'B' } })[id],
      authorOf: (by: string) => ({ tenant: by.slice('key:dash-'.length) }),
    };
    expect(redactAlertFor({ tenant: 'B' }, seenByB, facts).assignee).toBe('bob-b');
    // A's own entries are bounded: its newest, each scope's at most MAX_ALERT_HISTORY - 1.
    const seenByA = book.viewOf(alert, 'A');
    expect(seenByA.history).toHaveLength(MAX_ALERT_HISTORY);
    expect(seenByA.history.at(-1)!.note).toBe(`A ${2 * MAX_ALERT_HISTORY - 1}`);
    expect(alert.history.length).toBeLessThanOrEqual(1 + 3 + (MAX_ALERT_HISTORY - 1));
  });

  it('new evidence re-opens the views resolved by hand; the detector’s clear resolves every view', () => {
    const book = twoOrganisations();
    book.apply(raised(detection(1)));
    actAs(book, 'A', resolve('A'));
    actAs(book, 'B', acknowledge('B'));
    expect(book.viewOf(book.get('vessel-1')!, 'A').status).toBe('resolved');
    book.apply(raised(detection(2)));
    expect(book.viewOf(book.get('vessel-1')!, 'A').status).toBe('firing');
    expect(book.viewOf(book.get('vessel-1')!, 'B').status).toBe('acknowledged');
    book.apply(cleared(detection(2)));
    book.apply(cleared(detection(1)));
    for (const reader of ['A', 'B', undefined])
      expect(book.viewOf(book.get('vessel-1')!, reader).status).toBe('resolved');
    book.apply(raised(detection(3)));
    for (const reader of ['A', 'B', undefined])
      expect(book.viewOf(book.get('vessel-1')!, reader).status).toBe('firing');
  });

  it("another organisation's paperwork changing only the aid aboard re-opens no one's view and notifies no one", () => {
    const book = twoOrganisations();
    book.apply(
      fact(EventTypes.ExemptionGranted, { exemptionId: 'X-C', implementingOrg: 'C', sites: [], items: [] }),
    );
    book.apply(
      fact(EventTypes.ConsignmentRegistered, {
        consignmentId: 'C-C',
        exemptionId: 'X-C',
        vessel: { mmsi: '123456789' },
      }),
    );
    book.apply(raised(detection(1)));
    actAs(book, 'B', resolve('B'));
    const historyOfB = book.viewOf(book.get('vessel-1')!, 'B').history.length;
    // C's loads and discharges: the detector names other aid aboard, each time a new flag of the same problem.
    let previous = detection(1);
    const changes = [];
    for (let n = 0; n < 6; n++) {
      const next = {
        ...previous,
        flagId: `v1-relinked-${n}`,
        consignmentIds: n % 2 === 0 ? ['C-A', 'C-B', 'C-C'] : ['C-A', 'C-B'],
      };
      const reason = `superseded by new evidence: ${n % 2 === 0 ? 'aid on board' : 'aid not on board'}`;
      changes.push(book.apply(cleared(previous, reason)), book.apply(raised(next)));
      previous = next;
    }
    expect(changes.filter((c) => c?.notify)).toEqual([]);
    const seenByB = book.viewOf(book.get('vessel-1')!, 'B');
    expect(seenByB.status).toBe('resolved');
    expect(seenByB.history).toHaveLength(historyOfB);
    expect(book.get('vessel-1')!.occurrences).toBe(1);
    // New evidence still re-opens it.
    book.apply(cleared(previous, 'superseded by new evidence'));
    book.apply(raised({ ...detection(2), consignmentIds: previous.consignmentIds }));
    expect(book.viewOf(book.get('vessel-1')!, 'B').status).toBe('firing');
  });

  it('aid newly aboard a resolved alert: that organisation sees it firing; those who resolved it do not', () => {
    const book = twoOrganisations();
    book.apply(raised({ ...detection(1), consignmentIds: ['C-A'] }));
    actAs(book, 'A', resolve('A'));
    expect(book.get('vessel-1')!.status).toBe('resolved');
    const c1 = book.apply(
      cleared({ ...detection(1), consignmentIds: ['C-A'] }, 'superseded by new evidence: aid on board'),
    );
    const c2 = book.apply(raised({ ...detection(1), flagId: 'v1-b', consignmentIds: ['C-A', 'C-B'] }));
    expect([c1?.notify, c2?.notify]).toEqual([false, false]);
    expect(book.viewOf(book.get('vessel-1')!, 'A').status).toBe('resolved');
    expect(book.viewOf(book.get('vessel-1')!, 'B').status).toBe('firing');
  });

  it("aid newly aboard an alert another organisation acknowledged: the newcomer sees it firing, without the other's assignee", () => {
    const book = twoOrganisations();
    book.apply(raised({ ...detection(1), consignmentIds: ['C-A'] }));
    actAs(book, 'A', acknowledge('A'));
    actAs(book, 'A', assign('A', 'a-field-officer'));
    book.apply(
      cleared({ ...detection(1), consignmentIds: ['C-A'] }, 'superseded by new evidence: aid on board'),
    );
    book.apply(raised({ ...detection(1), flagId: 'v1-b', consignmentIds: ['C-A', 'C-B'] }));
    const alert = book.get('vessel-1')!;
    expect(book.viewOf(alert, 'A')).toMatchObject({ status: 'acknowledged', assignee: 'a-field-officer' });
    const seenByB = redactAlertFor({ tenant: 'B' }, book.viewOf(alert, 'B'), {
      ownerOf: (id: string) =>
        (
          ({ 'C-A': { organisation: 'A' }, 'C-B': { organisation: 'B' } }) as Record<
            string,
            { organisation: string }
          >
        )[id],
      actorOf: () => undefined,
    } as never);
    expect(seenByB.status).toBe('firing');
    expect(JSON.stringify(seenByB)).not.toContain('a-field-officer');
  });

  it('an alert concerning one organisation only is acted on itself, as operators see it', () => {
    const book = twoOrganisations();
    book.apply(raised({ ...detection(1), consignmentIds: ['C-A'] }));
    expect(book.sharedBeyond(book.get('vessel-1')!, 'A')).toBe(false);
    const c = actAs(book, 'A', acknowledge('A'))!;
    expect(c.organisation).toBeUndefined();
    expect(book.get('vessel-1')!.status).toBe('acknowledged');
  });

  it('survives a snapshot round trip', () => {
    const book = twoOrganisations();
    book.apply(raised(detection(1)));
    actAs(book, 'A', assign('A', 'a-team'));
    const again = AlertBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(again.viewOf(again.get('vessel-1')!, 'A').assignee).toBe('a-team');
    expect(again.viewOf(again.get('vessel-1')!, 'B').assignee).toBeUndefined();
  });

  type Step =
    | { kind: 'act'; org: 'A' | 'B' | undefined; action: 'acknowledge' | 'resolve' | 'assign' | 'comment' }
    | { kind: 'detect' }
    | { kind: 'clear' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({
      kind: fc.constant('act' as const),
      org: fc.constantFrom('A' as const, 'B' as const, undefined),
      action: fc.constantFrom(
        'acknowledge' as const,
        'resolve' as const,
        'assign' as const,
        'comment' as const,
      ),
    }),
    fc.constant({ kind: 'detect' as const }),
    fc.constant({ kind: 'clear' as const }),
  );

  /** Runs the steps (an action that does not fit the view it is decided on is refused, as by the API). */
  function run(steps: Step[]): AlertBook {
    const book = twoOrganisations();
    let n = 1;
    book.apply(raised(detection(n)));
    const open: number[] = [1];
    for (const s of steps) {
      if (s.kind === 'detect') {
        n += 1;
        book.apply(raised(detection(n)));
        open.push(n);
      } else if (s.kind === 'clear') {
        const last = open.pop();
        if (last !== undefined) book.apply(cleared(detection(last)));
      } else {
        const command: AlertCommand =
          s.action === 'assign'
            ? assign(s.org, `person-${n}`)
            : s.action === 'comment'
              ? { kind: 'comment', by: byWhom(s.org), at: minute(9), note: `note ${n}` }
              : s.action === 'resolve'
                ? resolve(s.org)
                : acknowledge(s.org);
        try {
          actAs(book, s.org, command);
        } catch (error) {
          if (!(error instanceof AlertConflictError)) throw error;
        }
      }
    }
    return book;
  }

  const seen = (alert: Alert) => ({
    status: alert.status,
    assignee: alert.assignee,
    history: alert.history.map(({ type, by, note, assignee }) => ({ type, by, note, assignee })),
  });

  it("property: whatever A does to its view, B's view and the alert's own state are as if A had done nothing", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const withA = run(steps);
        const withoutA = run(steps.filter((s) => !(s.kind === 'act' && s.org === 'A')));
        expect(seen(withA.viewOf(withA.get('vessel-1')!, 'B'))).toEqual(
          seen(withoutA.viewOf(withoutA.get('vessel-1')!, 'B')),
        );
        // Operators see every organisation's actions in the history; the alert's own state is untouched.
        const { status, assignee } = withA.get('vessel-1')!;
        expect({ status, assignee }).toEqual({
          status: withoutA.get('vessel-1')!.status,
          assignee: withoutA.get('vessel-1')!.assignee,
        });
      }),
      { numRuns: 300 },
    );
  });
});
