import { EventTypes, OwnershipEventTypes } from '@aidwatch/domain';
import { AlertBook, MAX_ALERT_HISTORY, notifiesRecipient, SUPERSEDED_REASON } from './alert-book';
import { decide, InvalidAlertCommandError, MaxNoteLength } from './alert-commands';
import { cleared, fact, flag, lifecycle, minute, raised, silenceCreated } from './testing/alert-fixtures';

/** A book with organisation A (exemption X-A, consignments C-1, C-A) and B (X-B, C-B), sharing site S-1. */
function twoOrganisations(): AlertBook {
  const book = new AlertBook();
  const site = { siteId: 'S-1', name: 'Haeju', lat: 38.04, lon: 125.71, radiusKm: 5 };
  book.apply(
    fact(EventTypes.ExemptionGranted, { exemptionId: 'X-A', implementingOrg: 'A', sites: [site], items: [] }),
  );
  book.apply(
    fact(EventTypes.ExemptionGranted, { exemptionId: 'X-B', implementingOrg: 'B', sites: [site], items: [] }),
  );
  for (const [consignmentId, exemptionId] of [
    ['C-1', 'X-A'],
    ['C-A', 'X-A'],
    ['C-B', 'X-B'],
  ])
    book.apply(
      fact(EventTypes.ConsignmentRegistered, { consignmentId, exemptionId, vessel: { mmsi: '123456789' } }),
    );
  return book;
}

const act = (book: AlertBook, alertId: string, command: Parameters<typeof decide>[1]) => {
  const { type, data } = decide(book.get(alertId)!, command);
  return book.apply(lifecycle(type, data));
};

describe('AlertBook: one alert per problem', () => {
  it('given a flag, when the same problem is re-detected, then one alert fires once and counts both', () => {
    const book = new AlertBook();
    const first = book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    const again = book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f2', evidence: ['e1', 'e2'] })));
    expect(first).toMatchObject({ alertId: 'p1', reason: 'new', notify: true, status: 'firing' });
    expect(again).toMatchObject({ alertId: 'p1', reason: 'duplicate', notify: false, status: 'firing' });
    expect([...book.all()]).toHaveLength(1);
    expect(book.get('p1')).toMatchObject({
      occurrences: 2,
      flagIds: ['f1', 'f2'],
      openFlagIds: ['f1', 'f2'],
    });
  });

  it('a successor of a superseded flag is the same occurrence: counted once, its new sentence in the history', () => {
    const book = new AlertBook();
    const f1 = flag({ fingerprint: 'p1', flagId: 'f1', evidence: ['e1', 'e2'], explanation: 'met for 2 h' });
    book.apply(raised(f1));
    book.apply(cleared(f1, SUPERSEDED_REASON));
    // Re-measured: the latest close approach replaced (not added to) the earlier evidence.
    const f2 = flag({ fingerprint: 'p1', flagId: 'f2', evidence: ['e1', 'e2b'], explanation: 'met for 5 h' });
    book.apply(raised(f2));
    const alert = book.get('p1')!;
    expect(alert).toMatchObject({
      alertId: 'p1',
      occurrences: 1,
      flagIds: ['f1', 'f2'],
      openFlagIds: ['f2'],
    });
    expect(alert.history.map((e) => [e.type, e.note, e.flagId])).toEqual([
      ['raised', 'met for 2 h', 'f1'],
      ['updated', 'met for 5 h', 'f2'],
    ]);
    // Superseded by a flag that keeps every piece of evidence and adds one (a second denial): another
    // occurrence.
    book.apply(cleared(f2, SUPERSEDED_REASON));
    const f2b = flag({
      fingerprint: 'p1',
      flagId: 'f2b',
      evidence: ['e1', 'e2b', 'e9'],
      explanation: 'twice',
    });
    book.apply(raised(f2b));
    expect(book.get('p1')!.occurrences).toBe(2);
    book.apply(cleared(f2b, 'condition no longer holds'));
    // Cleared for good, then raised again: another occurrence.
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f3', evidence: ['e3'], explanation: 'met again' })));
    expect(book.get('p1')).toMatchObject({ occurrences: 3, status: 'firing' });
    // The count survives a snapshot.
    const restored = AlertBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    const f3 = book.get('p1')!.flag;
    restored.apply(cleared(f3, SUPERSEDED_REASON));
    restored.apply(
      raised(flag({ fingerprint: 'p1', flagId: 'f4', evidence: ['e4'], explanation: 'met longer' })),
    );
    expect(restored.get('p1')!.occurrences).toBe(3);
  });

  it('a clear superseded by new evidence neither resolves nor notifies; the successor is a duplicate', () => {
    const book = new AlertBook();
    const f1 = flag({ fingerprint: 'p1', flagId: 'f1' });
    book.apply(raised(f1));
    expect(book.apply(cleared(f1, SUPERSEDED_REASON))).toMatchObject({
      reason: 'duplicate',
      notify: false,
      status: 'firing',
    });
    expect(book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f2' })))).toMatchObject({
      reason: 'duplicate',
      notify: false,
    });
    expect(book.get('p1')!.status).toBe('firing');
  });

  it('a clear superseded by a flag naming the aid on board is a supersede too', () => {
    const book = new AlertBook();
    const f1 = flag({ fingerprint: 'p1', flagId: 'f1' });
    book.apply(raised(f1));
    expect(book.apply(cleared(f1, `${SUPERSEDED_REASON}: aid on board`))).toMatchObject({
      reason: 'duplicate',
      notify: false,
      status: 'firing',
    });
    expect(book.apply(cleared(f1, 'superseded by a rumour'))).toMatchObject({ status: 'resolved' });
  });

  it('resolves when its last open flag clears, and re-opens when new evidence arrives', () => {
    const book = new AlertBook();
    const f1 = flag({ fingerprint: 'p1', flagId: 'f1' });
    book.apply(raised(f1));
    expect(book.apply(cleared(f1))).toMatchObject({ reason: 'resolved', notify: true, status: 'resolved' });
    expect(book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f3' })))).toMatchObject({
      reason: 'reopened',
      status: 'firing',
      notify: true,
    });
    expect(book.get('p1')!.history.map((h) => h.type)).toEqual(['raised', 'cleared', 'reopened']);
  });
});

describe('AlertBook: one encounter, one alert', () => {
  /** The detector's encounter flag of `mmsi` meeting `partner`: both cite the same position reports. */
  const encounterFlag = (
    mmsi: string,
    partner: string,
    flagId: string,
    consignmentId: string,
    evidence: string[],
  ) =>
    flag({
      fingerprint: `enc-${mmsi}`,
      flagId,
      rule: 'encounter',
      severity: 'high',
      subject: { kind: 'vessel', id: mmsi },
      consignmentIds: [consignmentId],
      observed: { partnerMmsi: partner },
      evidence,
      explanation: `${mmsi} and ${partner} stayed within 300 m of each other`,
    });

  it("groups both vessels' flags of one meeting into one alert naming both vessels and both consignments", () => {
    const book = twoOrganisations();
    const a = encounterFlag('123456789', '987654321', 'fa1', 'C-A', ['p1', 'p2', 'p3', 'p4']);
    const b = encounterFlag('987654321', '123456789', 'fb1', 'C-B', ['p1', 'p2', 'p3', 'p4']);
    expect(book.apply(raised(a))).toMatchObject({ alertId: 'enc-123456789', reason: 'new', notify: true });
    expect(book.apply(raised(b))).toMatchObject({
      alertId: 'enc-123456789',
      reason: 'duplicate',
      notify: false,
    });
    expect([...book.all()]).toHaveLength(1);
    const alert = book.get('enc-123456789')!;
    expect(alert.consignmentIds).toEqual(['C-A', 'C-B']);
    expect(alert.labels.vessel).toEqual(['123456789', '987654321']);
    expect(alert.labels.organisation).toEqual(['A', 'B']);
    expect(alert.openFlagIds).toEqual(['fa1', 'fb1']);

    // Re-detections and clears of the second vessel's problem stay with the group, across a snapshot.
    const restored = AlertBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    const b2 = encounterFlag('987654321', '123456789', 'fb2', 'C-B', ['p1', 'p2', 'p5', 'p6']);
    expect(restored.apply(raised(b2))).toMatchObject({ alertId: 'enc-123456789', reason: 'duplicate' });
    expect(restored.apply(cleared(a))).toMatchObject({ alertId: 'enc-123456789', status: 'firing' });
    restored.apply(cleared(b));
    expect(restored.apply(cleared(b2))).toMatchObject({ alertId: 'enc-123456789', status: 'resolved' });
    expect([...restored.all()]).toHaveLength(1);
  });

  it('an alert about a carrier that met a designated ship names both vessels; the meeting counts once', () => {
    const book = twoOrganisations();
    book.apply(
      raised(
        flag({
          fingerprint: 'dv-1',
          flagId: 'dv-f1',
          rule: 'designated-vessel',
          subject: { kind: 'vessel', id: '123456789' },
          consignmentIds: ['C-A'],
          observed: { partnerMmsi: '987654321', role: 'encounter partner' },
        }),
      ),
    );
    expect(book.get('dv-1')!.labels.vessel).toEqual(['123456789', '987654321']);
    const a = encounterFlag('123456789', '987654321', 'fa1', 'C-A', ['p1', 'p2']);
    book.apply(raised(a));
    book.apply(raised(encounterFlag('987654321', '123456789', 'fb1', 'C-B', ['p1', 'p2'])));
    book.apply(cleared(a, SUPERSEDED_REASON));
    book.apply(raised(encounterFlag('123456789', '987654321', 'fa2', 'C-A', ['p1', 'p3'])));
    expect(book.get('enc-123456789')).toMatchObject({ occurrences: 1, flagIds: ['fa1', 'fb1', 'fa2'] });
  });

  it("a transfer relabels a grouped encounter alert from both vessels' consignments", () => {
    const book = twoOrganisations();
    book.apply(raised(encounterFlag('123456789', '987654321', 'fa1', 'C-A', ['p1', 'p2'])));
    book.apply(raised(encounterFlag('987654321', '123456789', 'fb1', 'C-B', ['p1', 'p2'])));
    book.apply(
      fact(OwnershipEventTypes.Transferred, {
        kind: 'exemption',
        exemptionId: 'X-A',
        fromOrg: 'A',
        toOrg: 'C',
        by: 'key:op',
        at: minute(1),
        reason: 'handover',
      }),
    );
    expect(book.get('enc-123456789')!.labels).toMatchObject({
      organisation: ['B', 'C'],
      vessel: ['123456789', '987654321'],
      consignmentId: ['C-A', 'C-B'],
    });
  });

  it('keeps meetings apart that cite different position reports, and other rules by fingerprint', () => {
    const book = twoOrganisations();
    book.apply(raised(encounterFlag('123456789', '987654321', 'fa1', 'C-A', ['p1', 'p2'])));
    book.apply(raised(encounterFlag('987654321', '123456789', 'fb1', 'C-B', ['q1', 'q2'])));
    book.apply(raised(encounterFlag('111111111', '123456789', 'fc1', 'C-1', ['p1', 'p2'])));
    expect([...book.all()].map((a) => a.alertId).sort()).toEqual([
      'enc-111111111',
      'enc-123456789',
      'enc-987654321',
    ]);
  });
});

describe('AlertBook: lifecycle actions', () => {
  it('firing → acknowledged → resolved, each in the history with who, when and why', () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    act(book, 'p1', {
      kind: 'assign',
      by: 'ops-1',
      at: minute(1),
      assignee: 'monitor-7',
      note: 'on site this week',
    });
    const ack = act(book, 'p1', { kind: 'acknowledge', by: 'dash-1', at: minute(2), note: 'looking' });
    act(book, 'p1', { kind: 'comment', by: 'dash-1', at: minute(3), note: 'called the partner' });
    const resolved = act(book, 'p1', {
      kind: 'resolve',
      by: 'dash-1',
      at: minute(4),
      note: 'access granted on re-visit',
    });
    expect(ack).toMatchObject({ status: 'acknowledged', reason: 'lifecycle', notify: true });
    expect(resolved).toMatchObject({ status: 'resolved' });
    const alert = book.get('p1')!;
    expect(alert.assignee).toBe('monitor-7');
    expect(alert.lifecycleEvents).toBe(4);
    expect(alert.history.slice(1).map(({ type, by, at, note }) => ({ type, by, at, note }))).toEqual([
      { type: 'assigned', by: 'ops-1', at: minute(1), note: 'on site this week' },
      { type: 'acknowledged', by: 'dash-1', at: minute(2), note: 'looking' },
      { type: 'commented', by: 'dash-1', at: minute(3), note: 'called the partner' },
      { type: 'resolved', by: 'dash-1', at: minute(4), note: 'access granted on re-visit' },
    ]);
  });

  it('refuses what does not fit: acknowledging twice, resolving without a note, assigning a resolved alert', () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    act(book, 'p1', { kind: 'acknowledge', by: 'a', at: minute(1) });
    expect(() => decide(book.get('p1')!, { kind: 'acknowledge', by: 'a', at: minute(2) })).toThrow(
      /acknowledged, not firing/,
    );
    expect(() => decide(book.get('p1')!, { kind: 'resolve', by: 'a', at: minute(2), note: '  ' })).toThrow(
      /needs a note/,
    );
    act(book, 'p1', { kind: 'resolve', by: 'a', at: minute(3), note: 'done' });
    expect(() => decide(book.get('p1')!, { kind: 'assign', by: 'a', at: minute(4), assignee: 'b' })).toThrow(
      /resolved/,
    );
  });

  it(`keeps an alert's first history entry and its ${MAX_ALERT_HISTORY - 1} newest, counting those dropped`, () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    const comments = MAX_ALERT_HISTORY + 250;
    for (let i = 0; i < comments; i++)
      act(book, 'p1', { kind: 'comment', by: 'dash-1', at: minute(1), note: `note ${i}` });
    const alert = book.get('p1')!;
    expect(alert.history).toHaveLength(MAX_ALERT_HISTORY);
    expect(alert.history[0].type).toBe('raised');
    expect(alert.history.at(-1)!.note).toBe(`note ${comments - 1}`);
    expect(alert.history[1].note).toBe(`note ${comments - MAX_ALERT_HISTORY + 1}`);
    expect(alert.historyOmitted).toBe(comments + 1 - MAX_ALERT_HISTORY);
    expect(alert.lifecycleEvents).toBe(comments);
  });

  it('refuses notes, comments and assignees with control characters, bidi overrides or lone surrogates', () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    for (const bad of ['ok\u202e', 'a\u0000b', 'x\ud800', 'y'.repeat(MaxNoteLength + 1)]) {
      expect(() => decide(book.get('p1')!, { kind: 'comment', by: 'a', at: minute(1), note: bad })).toThrow(
        InvalidAlertCommandError,
      );
      expect(() =>
        decide(book.get('p1')!, { kind: 'assign', by: 'a', at: minute(1), assignee: bad }),
      ).toThrow(/assignee/);
    }
    // Line breaks and tabs are ordinary text in a note.
    expect(
      decide(book.get('p1')!, { kind: 'comment', by: 'a', at: minute(1), note: 'seen\n\tagain' }).data.note,
    ).toBe('seen\n\tagain');
  });

  it('a hand-resolved alert re-opens on new evidence of its problem', () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    act(book, 'p1', { kind: 'resolve', by: 'a', at: minute(1), note: 'false alarm' });
    expect(book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f2' })))).toMatchObject({
      reason: 'reopened',
      status: 'firing',
    });
  });
});

describe('AlertBook: silences and inhibition', () => {
  it('a silence mutes notifications of matching alerts only while it is active, judged at recording time', () => {
    const book = new AlertBook();
    book.apply(
      silenceCreated({
        silenceId: 's1',
        matchers: [
          { name: 'consignmentId', value: 'C-1' },
          { name: 'severity', value: 'high|critical', isRegex: true },
        ],
        startsAt: minute(0),
        endsAt: minute(10),
        createdBy: 'dash-1',
        comment: 'known: partner negotiating access',
        at: minute(0),
      }),
    );
    const muted = book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' }), 5));
    const other = book.apply(raised(flag({ fingerprint: 'p2', flagId: 'f2', consignmentIds: ['C-2'] }), 5));
    const afterExpiry = book.apply(raised(flag({ fingerprint: 'p3', flagId: 'f3' }), 10));
    expect(muted).toMatchObject({ silencedBy: ['s1'], notify: false, status: 'firing' });
    expect(other).toMatchObject({ silencedBy: [], notify: true });
    expect(afterExpiry).toMatchObject({ silencedBy: [], notify: true });
    expect(book.mutedBy(book.get('p1')!, minute(9)).silencedBy).toEqual(['s1']);
    expect(book.mutedBy(book.get('p1')!, minute(11)).silencedBy).toEqual([]);
  });

  it("a silence also mutes the resolved notification of an alert it matches (Alertmanager's semantics)", () => {
    const book = new AlertBook();
    book.apply(
      silenceCreated({
        silenceId: 's1',
        matchers: [{ name: 'consignmentId', value: 'C-1' }],
        startsAt: minute(0),
        endsAt: minute(10),
        createdBy: 'dash-1',
        comment: 'known',
        at: minute(0),
      }),
    );
    const f1 = flag({ fingerprint: 'p1', flagId: 'f1' });
    book.apply(raised(f1, 1));
    const resolvedWhileSilenced = book.apply(cleared(f1, 'no longer observed', 2));
    expect(resolvedWhileSilenced).toMatchObject({ reason: 'resolved', silencedBy: ['s1'], notify: false });
    expect(notifiesRecipient(resolvedWhileSilenced!, undefined)).toBe(false);
    // Resolved after the silence ended: notified.
    const f2 = flag({ fingerprint: 'p2', flagId: 'f2' });
    book.apply(raised(f2, 3));
    const resolvedLater = book.apply(cleared(f2, 'no longer observed', 11));
    expect(resolvedLater).toMatchObject({ reason: 'resolved', silencedBy: [], notify: true });
    // A resolved alert lists no silence in views: nothing is left to mute.
    expect(book.mutedBy(book.get('p1')!, minute(3)).silencedBy).toEqual([]);
  });

  it('an open access-denied at a site inhibits verification-overdue at that site, not at another', () => {
    const book = twoOrganisations();
    book.apply(
      raised(
        flag({ fingerprint: 'denied', flagId: 'd1', rule: 'access-denied', observed: { siteId: 'S-1' } }),
      ),
    );
    const here = book.apply(
      raised(
        flag({
          fingerprint: 'overdue-1',
          flagId: 'o1',
          rule: 'verification-overdue',
          observed: { siteId: 'S-1' },
        }),
      ),
    );
    const there = book.apply(
      raised(
        flag({
          fingerprint: 'overdue-2',
          flagId: 'o2',
          rule: 'verification-overdue',
          observed: { siteId: 'S-2' },
        }),
      ),
    );
    expect(here).toMatchObject({ inhibitedBy: ['denied'], notify: false });
    expect(there).toMatchObject({ inhibitedBy: [], notify: true });
    book.apply(cleared(flag({ fingerprint: 'denied', flagId: 'd1', rule: 'access-denied' })));
    expect(book.mutedBy(book.get('overdue-1')!, minute(1)).inhibitedBy).toEqual([]);
  });
});

describe('AlertBook: labels and location from the facts', () => {
  it('labels an alert with its exemption and organisation and locates it at the site', () => {
    const book = new AlertBook();
    book.apply(
      fact(EventTypes.ExemptionGranted, {
        exemptionId: 'X-1',
        implementingOrg: 'WFP',
        sites: [{ siteId: 'S-1', name: 'Haeju', lat: 38.04, lon: 125.71, radiusKm: 5 }],
        items: [],
      }),
    );
    book.apply(
      fact(EventTypes.ConsignmentRegistered, {
        consignmentId: 'C-1',
        exemptionId: 'X-1',
        vessel: { mmsi: '123456789' },
      }),
    );
    const c = book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1', observed: { siteId: 'S-1' } })))!;
    expect(c.labels).toMatchObject({ exemptionId: ['X-1'], organisation: ['WFP'], siteId: ['S-1'] });
    expect(c.location).toEqual({ lat: 38.04, lon: 125.71 });
    book.apply(
      fact(EventTypes.VesselPositionReported, { mmsi: '123456789', lat: 39, lon: 124.5, at: minute(0) }),
    );
    book.apply(
      fact(EventTypes.VesselPositionReported, { mmsi: '123456789', lat: 38.7, lon: 125.2, at: minute(40) }),
    );
    // Located where the carrier was at the flag's event time, not where it went since.
    const shrink = book.apply(
      raised(flag({ fingerprint: 'p2', flagId: 'f2', rule: 'quantity-shrinkage', raisedAt: minute(15) })),
    )!;
    expect(shrink.location).toEqual({ lat: 39, lon: 124.5 });
    const later = book.apply(
      raised(flag({ fingerprint: 'p3', flagId: 'f3', rule: 'ais-gap', raisedAt: minute(45) })),
    )!;
    expect(later.location).toEqual({ lat: 38.7, lon: 125.2 });
  });

  it('survives a snapshot round trip', () => {
    const book = new AlertBook();
    book.apply(raised(flag({ fingerprint: 'p1', flagId: 'f1' })));
    const copy = AlertBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(copy.apply(raised(flag({ fingerprint: 'p1', flagId: 'f2' })))).toMatchObject({
      reason: 'duplicate',
    });
  });
});

describe('AlertBook: silences and inhibitions stay inside their organisation', () => {
  const silence = (silenceId: string, tenant: string | undefined) =>
    silenceCreated({
      silenceId,
      matchers: [
        { name: 'vessel', value: '123456789' },
        ...(tenant ? [{ name: 'organisation' as const, value: tenant }] : []),
      ],
      startsAt: minute(0),
      endsAt: minute(30),
      createdBy: `dash-${tenant ?? 'operator'}`,
      comment: 'muted',
      ...(tenant ? { tenant } : {}),
      at: minute(0),
    });
  const shared = flag({
    fingerprint: 'vessel-1',
    flagId: 'v1',
    rule: 'encounter',
    subject: { kind: 'vessel', id: '123456789' },
    consignmentIds: ['C-A', 'C-B'],
  });

  it("A's silence mutes A's deliveries of a shared vessel alert, never B's, and B does not see it", () => {
    const book = twoOrganisations();
    book.apply(silence('s-a', 'A'));
    const c = book.apply(raised(shared, 5))!;
    expect(c.labels.organisation).toEqual(['A', 'B']);
    expect(notifiesRecipient(c, 'A')).toBe(false);
    expect(notifiesRecipient(c, 'B')).toBe(true);
    expect(notifiesRecipient(c, undefined)).toBe(true);
    const alert = book.get('vessel-1')!;
    expect(book.mutedBy(alert, minute(6), { tenant: 'B' }).silencedBy).toEqual([]);
    expect(book.mutedBy(alert, minute(6), { tenant: 'A' }).silencedBy).toEqual(['s-a']);
    expect(book.mutedBy(alert, minute(6)).silencedBy).toEqual(['s-a']);
  });

  it("an operator's silence spans organisations, explicitly", () => {
    const book = twoOrganisations();
    book.apply(silence('s-op', undefined));
    const c = book.apply(raised(shared, 5))!;
    for (const recipient of ['A', 'B', undefined]) expect(notifiesRecipient(c, recipient)).toBe(false);
    expect(book.mutedBy(book.get('vessel-1')!, minute(6), { tenant: 'B' }).silencedBy).toEqual(['s-op']);
  });

  it("A's access denial at a site of B's exemption does not inhibit B's verification-overdue there", () => {
    const book = twoOrganisations();
    book.apply(
      raised(
        flag({
          fingerprint: 'denied-a',
          flagId: 'd1',
          rule: 'access-denied',
          consignmentIds: ['C-A'],
          observed: { siteId: 'S-1' },
        }),
      ),
    );
    const overdueB = book.apply(
      raised(
        flag({
          fingerprint: 'overdue-b',
          flagId: 'o1',
          rule: 'verification-overdue',
          subject: { kind: 'consignment', id: 'C-B' },
          consignmentIds: ['C-B'],
          observed: { siteId: 'S-1' },
        }),
      ),
    )!;
    expect(overdueB.inhibitedBy).toEqual([]);
    expect(notifiesRecipient(overdueB, 'B')).toBe(true);
    expect(book.mutedBy(book.get('overdue-b')!, minute(1), { tenant: 'B' }).inhibitedBy).toEqual([]);
  });
});

describe('AlertBook: ownership transfers', () => {
  it('labels the alerts of a transferred consignment with its new organisation at once', () => {
    const book = twoOrganisations();
    book.apply(
      raised(
        flag({
          fingerprint: 'p-b',
          flagId: 'fb',
          subject: { kind: 'consignment', id: 'C-B' },
          consignmentIds: ['C-B'],
        }),
      ),
    );
    expect(book.get('p-b')!.labels.organisation).toEqual(['B']);
    const common = { by: 'key:op', at: minute(1), reason: 'handover' };
    book.apply(
      fact(OwnershipEventTypes.Transferred, {
        kind: 'consignment',
        consignmentId: 'C-B',
        fromExemptionId: 'X-B',
        toExemptionId: 'X-A',
        ...common,
      }),
    );
    expect(book.get('p-b')!.labels).toMatchObject({ organisation: ['A'], exemptionId: ['X-A'] });
    book.apply(
      fact(OwnershipEventTypes.Transferred, {
        kind: 'exemption',
        exemptionId: 'X-A',
        fromOrg: 'A',
        toOrg: 'C',
        ...common,
      }),
    );
    expect(book.get('p-b')!.labels.organisation).toEqual(['C']);
    // The transfer keeps the consignment's place among registrations (the first registered here).
    expect(book.ownerOf('C-1')).toEqual({ exemptionId: 'X-A', organisation: 'C', registered: 0 });
  });
});
