import { ApiCallError, ApiClient } from './api-client.js';
import { AlertEventStream, type StreamEvent } from './event-stream.js';
import { drawMap, vesselTitle, type MapData, type MapVessel } from './map-view.js';

interface AlertView {
  alertId: string;
  rule: string;
  severity: string;
  status: string;
  subject: { kind: string; id: string };
  consignmentIds: string[];
  assignee?: string;
  lastRaisedAt: string;
  occurrences: number;
  flag: { explanation: string };
  silencedBy: string[];
  inhibitedBy: string[];
  history?: Array<{
    type: string;
    at: string;
    by: string;
    byName?: string;
    note?: string;
    assignee?: string;
  }>;
  labels?: { vessel?: string[] };
}

const KEY = 'aidwatch.console.key';

/** "20:48" (UTC) of an RFC 3339 time; '' when there is none. */
const clock = (t: string | undefined): string => (t ? t.slice(11, 16) : '');

/**
 * What a live event says, in plain words: "comment added to monitor-finding alert, 20:48" rather than its
 * CloudEvents type (`aidwatch.alert.commented.v1`).
 */
export function liveEventText(type: string, rule: string, time: string | undefined): string {
  const kind = /^aidwatch\.(flag|alert)\.([a-z-]+)\.v\d+$/.exec(type);
  const what = rule ? `${rule} ` : '';
  const words: Record<string, string> = {
    'flag.raised': `${what}flag raised`,
    'flag.cleared': `${what}flag cleared`,
    'alert.acknowledged': `${what}alert acknowledged`,
    'alert.resolved': `${what}alert resolved`,
    'alert.assigned': `${what}alert assigned`,
    'alert.commented': `comment added to ${what}alert`,
  };
  const text =
    (kind && words[`${kind[1]}.${kind[2]}`]) ?? `${type.replace(/^aidwatch\./, '')} ${rule}`.trim();
  return time ? `${text}, ${clock(time)}` : text;
}

/**
 * A consignment's lifecycle state as the console words it. `verified` (the API's state once a monitor's
 * visit was reported) says that a monitor reported, not that all was found in order: "monitored".
 */
const STATUS_WORDS: Record<string, string> = { verified: 'monitored', 'in-custody': 'in custody' };
const statusText = (status: string): string => STATUS_WORDS[status] ?? status;
const app = document.getElementById('app')!;
let api: ApiClient | undefined;
let stream: AlertEventStream | undefined;
const seenEventIds = new Set<string>();
let refreshTimer: number | undefined;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string | undefined>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== undefined) e.append(c);
  return e;
}

function showLogin(message = ''): void {
  stream?.disconnect();
  app.replaceChildren();
  const input = h('input', {
    id: 'key',
    type: 'password',
    placeholder: 'API key',
    autocomplete: 'off',
    required: '',
  });
  const form = h(
    'form',
    { id: 'login', class: 'login' },
    h('h1', {}, 'AidWatch console'),
    h('label', { for: 'key' }, 'Sign in with your key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    h('p', { class: 'error', id: 'login-error' }, message),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void signIn(input.value.trim());
  });
  app.append(form);
}

/** The signed-in credential (GET /me): shown in the header, never its secret. */
interface Me {
  subject: string;
  role: string;
  tenant?: string;
  label?: string;
}
let me: Me | undefined;

async function signIn(key: string): Promise<void> {
  const client = new ApiClient(key);
  try {
    me = await client.get<Me>('/me');
    await client.get('/alerts?limit=1');
  } catch (error) {
    const status = error instanceof ApiCallError ? error.status : 0;
    showLogin(
      status === 401 || status === 403
        ? 'That key is not valid here.'
        : `Sign-in failed: ${(error as Error).message}`,
    );
    return;
  }
  sessionStorage.setItem(KEY, key);
  api = client;
  renderShell();
}

function renderShell(): void {
  const status = h('span', { id: 'connection', class: 'connection disconnected' }, 'disconnected');
  const disconnect = h('button', { id: 'disconnect', type: 'button' }, 'Disconnect');
  const reconnect = h('button', { id: 'reconnect', type: 'button' }, 'Reconnect');
  const signOut = h('button', { id: 'sign-out', type: 'button' }, 'Sign out');
  const header = h(
    'header',
    {},
    h('a', { href: '#/alerts', class: 'brand' }, 'AidWatch'),
    h('nav', {}, h('a', { href: '#/alerts' }, 'Alerts'), h('a', { href: '#/consignments' }, 'Consignments')),
    h('span', { class: 'spacer' }),
    h(
      'span',
      {
        id: 'whoami',
        class: 'whoami',
        title: `signed in as ${me?.subject ?? ''}: role ${me?.role ?? '?'}${me?.tenant ? `, reading as ${me.tenant}` : ', every organisation'}`,
      },
      'Signed in as ',
      h('strong', { id: 'whoami-name' }, me?.label ?? me?.role ?? '?'),
      ' · ',
      h('span', { id: 'whoami-role' }, me?.role ?? '?'),
      me?.tenant ? ' · ' : '',
      me?.tenant ? h('span', { id: 'whoami-tenant' }, me.tenant) : undefined,
    ),
    status,
    disconnect,
    reconnect,
    signOut,
  );
  const main = h('main', { id: 'view' });
  app.replaceChildren(header, main);
  disconnect.addEventListener('click', () => stream?.disconnect());
  reconnect.addEventListener('click', () => stream?.connect());
  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showLogin();
  });
  stream = new AlertEventStream(
    api!,
    () => '',
    onStreamEvent,
    (state) => {
      status.textContent = state;
      status.className = `connection ${state}`;
    },
  );
  stream.connect();
  void route();
}

function onStreamEvent(e: StreamEvent): void {
  const feed = document.getElementById('live-feed');
  const duplicate = seenEventIds.has(e.id);
  seenEventIds.add(e.id);
  const counter = document.getElementById('event-count');
  if (counter) counter.textContent = String(seenEventIds.size);
  if (feed) {
    const ce = e.data as { time?: string };
    const d =
      (
        e.data as {
          data?: {
            rule?: string;
            alert?: { rule?: string };
            subject?: { id?: string };
            consignmentIds?: string[];
          };
        }
      ).data ?? {};
    const rule = d.rule ?? d.alert?.rule ?? '';
    const li = h(
      'li',
      {
        'data-event-id': e.id,
        'data-type': e.type,
        class: duplicate ? 'duplicate' : '',
        title: `${e.type}, event ${e.id}`,
      },
      liveEventText(e.type, rule, ce.time),
      d.consignmentIds?.length ? ` · ${d.consignmentIds.join(', ')}` : '',
    );
    feed.prepend(li);
    while (feed.children.length > 300) feed.lastElementChild?.remove();
  }
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refreshAlerts(), 250);
}

/** Destroys the map of the page left (Leaflet keeps listeners on the window). */
let currentMap: { remove(): void } | undefined;

async function route(): Promise<void> {
  currentMap?.remove();
  currentMap = undefined;
  const hash = location.hash || '#/alerts';
  const consignment = /^#\/consignments\/(.+)$/.exec(hash);
  const vessel = /^#\/vessels\/(.+)$/.exec(hash);
  const alert = /^#\/alerts\/(.+)$/.exec(hash);
  if (consignment) await showConsignment(decodeURIComponent(consignment[1]));
  else if (vessel) await showVessel(decodeURIComponent(vessel[1]));
  else if (hash.startsWith('#/consignments')) await showConsignments();
  else {
    showAlerts();
    if (alert) {
      selectedAlertId = decodeURIComponent(alert[1]);
      await showDetail(selectedAlertId);
    }
  }
}

function filterQuery(): string {
  const params = new URLSearchParams();
  const severities = [...document.querySelectorAll<HTMLInputElement>('input[name=severity]:checked')].map(
    (i) => i.value,
  );
  if (severities.length) params.set('severity', severities.join(','));
  for (const name of ['status', 'rule', 'consignmentId', 'vessel']) {
    const v = (document.getElementById(`filter-${name}`) as HTMLInputElement | HTMLSelectElement | null)
      ?.value;
    if (v) params.set(name, v);
  }
  return params.toString();
}

function showAlerts(): void {
  const view = document.getElementById('view')!;
  const severities = h(
    'fieldset',
    { class: 'severities' },
    h('legend', {}, 'Severity'),
    ...['critical', 'high', 'medium', 'low'].map((s) =>
      h('label', {}, h('input', { type: 'checkbox', name: 'severity', value: s }), ` ${s}`),
    ),
  );
  const status = h(
    'select',
    { id: 'filter-status' },
    ...['', 'firing', 'acknowledged', 'resolved'].map((s) => h('option', { value: s }, s || 'any status')),
  );
  const rule = h('input', { id: 'filter-rule', placeholder: 'rule, e.g. encounter' });
  const consignment = h('input', { id: 'filter-consignmentId', placeholder: 'consignment id' });
  const vessel = h('input', {
    id: 'filter-vessel',
    placeholder: 'vessel MMSI',
    inputmode: 'numeric',
    'aria-label': 'vessel (MMSI)',
  });
  const filters = h(
    'form',
    { class: 'filters', id: 'filters' },
    severities,
    status,
    rule,
    consignment,
    vessel,
    h('button', { type: 'submit' }, 'Apply'),
  );
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    void refreshAlerts();
  });
  const table = h(
    'table',
    { id: 'alerts' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['severity', 'rule', 'vessels', 'consignments', 'status', 'assignee', 'last seen', 'what'].map(
          (c) => h('th', {}, c),
        ),
      ),
    ),
    h('tbody'),
  );
  const detail = h('section', { id: 'alert-detail', class: 'detail' });
  const live = h(
    'section',
    { class: 'live' },
    h(
      'h2',
      {
        title:
          'Events received over the live stream since this page opened. 0 means nothing has changed since: ' +
          'the alerts table is read from the API, not counted here.',
      },
      'Live events ',
      h(
        'span',
        {
          id: 'event-count',
          'aria-describedby': 'live-hint',
          title: 'events received since this page opened (not the number of alerts)',
        },
        String(seenEventIds.size),
      ),
    ),
    h(
      'p',
      { class: 'hint', id: 'live-hint' },
      'Flags raised or cleared and alert actions as they happen, since this page opened (newest first). ' +
        '0 means none has happened since: the alerts on the left were already there.',
    ),
    h('ol', { id: 'live-feed' }),
  );
  // The detail of the alert clicked sits beside the table, at the top of the side column (in view, whatever
  // the table's length), above the live events.
  view.replaceChildren(
    h('h1', {}, 'Alerts'),
    filters,
    h('div', { class: 'columns' }, h('div', {}, table), h('aside', { class: 'side' }, detail, live)),
  );
  void refreshAlerts();
}

/** The alert whose detail is shown: its row stays marked when the table is refreshed. */
let selectedAlertId: string | undefined;

async function refreshAlerts(): Promise<void> {
  const body = document.querySelector('#alerts tbody');
  if (!body || !api) return;
  let items: AlertView[];
  try {
    items = (await api.get<{ items: AlertView[] }>(`/alerts?limit=200&${filterQuery()}`)).items;
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 401)
      return showLogin('Your key is no longer valid.');
    return;
  }
  body.replaceChildren(
    ...items.map((a) => {
      const vessels = h('td', { class: 'vessels' });
      for (const mmsi of a.labels?.vessel ?? [])
        vessels.append(h('a', { href: `#/vessels/${mmsi}`, title: `vessel MMSI ${mmsi}` }, mmsi), ' ');
      const consignments = h('td', {});
      for (const id of a.consignmentIds)
        consignments.append(h('a', { href: `#/consignments/${encodeURIComponent(id)}` }, id), ' ');
      const selected = a.alertId === selectedAlertId;
      const row = h(
        'tr',
        {
          'data-alert-id': a.alertId,
          class: `status-${a.status}${selected ? ' selected' : ''}`,
          ...(selected && { 'aria-selected': 'true' }),
        },
        h('td', {}, h('span', { class: `badge severity-${a.severity}` }, a.severity)),
        h('td', {}, a.rule),
        vessels,
        consignments,
        h(
          'td',
          { class: 'status' },
          a.status +
            (a.silencedBy.length ? ' (silenced)' : '') +
            (a.inhibitedBy.length ? ' (inhibited)' : ''),
        ),
        h('td', {}, a.assignee ?? ''),
        h('td', {}, a.lastRaisedAt.slice(0, 16).replace('T', ' ')),
        h('td', { class: 'explanation' }, a.flag.explanation),
      );
      row.addEventListener('click', (e) => {
        if ((e.target as HTMLElement).tagName === 'A') return;
        for (const other of body.querySelectorAll('tr.selected')) {
          other.classList.remove('selected');
          other.removeAttribute('aria-selected');
        }
        row.classList.add('selected');
        row.setAttribute('aria-selected', 'true');
        selectedAlertId = a.alertId;
        void showDetail(a.alertId);
      });
      return row;
    }),
  );
}

/** "Vessels: 445117000 445209000" as links (nothing when the list is empty). */
function linksParagraph(
  label: string,
  ids: string[],
  href: (id: string) => string,
  id: string,
): HTMLElement | string {
  if (ids.length === 0) return '';
  const p = h('p', { id }, `${label}: `);
  for (const x of ids) p.append(h('a', { href: href(x) }, x), ' ');
  return p;
}

/** What each kind of alert history entry is called in the console. */
const HISTORY_WORDS: Record<string, string> = {
  raised: 'raised',
  updated: 'updated',
  reopened: 'reopened',
  cleared: 'cleared',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
  assigned: 'assigned',
  commented: 'comment',
};

async function showDetail(alertId: string): Promise<void> {
  const panel = document.getElementById('alert-detail');
  if (!panel || !api) return;
  const a = await api.get<AlertView>(`/alerts/${alertId}`);
  const note = h('textarea', { id: 'action-note', placeholder: 'note (why) — required to resolve' });
  const assignee = h('input', { id: 'action-assignee', placeholder: 'assignee' });
  const message = h('p', { class: 'error', id: 'action-error' });
  const button = (id: string, label: string, action: () => Promise<unknown>) => {
    const b = h('button', { id, type: 'button' }, label);
    b.addEventListener('click', () => {
      action()
        .then(() => Promise.all([showDetail(alertId), refreshAlerts()]))
        .catch((error: Error) => (message.textContent = error.message));
    });
    return b;
  };
  const path = `/alerts/${alertId}`;
  panel.replaceChildren(
    h('h2', {}, `${a.rule} — ${a.status}`),
    h('p', {}, a.flag.explanation),
    h(
      'p',
      { id: 'detail-summary' },
      `${a.occurrences === 1 ? 'Happened once' : `Happened ${a.occurrences} times`}, about ` +
        `${a.subject.kind} ${a.subject.id}; last updated ${a.lastRaisedAt.slice(0, 16).replace('T', ' ')} UTC`,
    ),
    linksParagraph('Vessels', a.labels?.vessel ?? [], (mmsi) => `#/vessels/${mmsi}`, 'detail-vessels'),
    linksParagraph(
      'Consignments',
      a.consignmentIds,
      (id) => `#/consignments/${encodeURIComponent(id)}`,
      'detail-consignments',
    ),
    h(
      'div',
      { class: 'actions' },
      note,
      assignee,
      button('acknowledge', 'Acknowledge', () =>
        api!.post(`${path}/acknowledge`, { note: note.value || undefined }),
      ),
      button('resolve', 'Resolve', () => api!.post(`${path}/resolve`, { note: note.value })),
      button('assign', 'Assign', () =>
        api!.post(`${path}/assign`, { assignee: assignee.value, note: note.value || undefined }),
      ),
      button('comment', 'Comment', () => api!.post(`${path}/comments`, { comment: note.value })),
    ),
    message,
    h('h3', {}, 'History'),
    h(
      'ol',
      { class: 'history' },
      ...(a.history ?? []).map((e) =>
        h(
          'li',
          { 'data-type': e.type },
          h('strong', {}, HISTORY_WORDS[e.type] ?? e.type),
          ` ${e.at.slice(0, 19).replace('T', ' ')} by `,
          h('span', { class: 'by', title: e.by }, e.byName ?? e.by),
          e.assignee ? ` → ${e.assignee}` : '',
          e.note ? ` — ${e.note}` : '',
        ),
      ),
    ),
  );
  panel.scrollIntoView({ block: 'nearest' });
}

interface ConsignmentView {
  consignmentId: string;
  exemptionId: string | null;
  status: string;
  risk: string;
  vessel: { mmsi: string; name?: string } | null;
  originPort: string | null;
  destinationPort: string | null;
  items: Array<Record<string, string | number | boolean | null>>;
}

/** What each step of a consignment's journey is called in the timeline, in plain words. */
const STEP_WORDS: Record<string, string> = {
  'aidwatch.consignment.registered.v1': 'Registered',
  'aidwatch.consignment.loaded.v1': 'Loaded on board',
  'aidwatch.consignment.departed.v1': 'Departed',
  'aidwatch.consignment.arrived.v1': 'Arrived',
  'aidwatch.consignment.discharged.v1': 'Discharged',
  'aidwatch.consignment.custody-transferred.v1': 'Handed over to the next custodian',
  'aidwatch.delivery.recorded.v1': 'Delivered',
  'aidwatch.verification.reported.v1': 'End-use visit by a monitor',
  'aidwatch.verification.access-denied.v1': 'Monitor turned away',
};

/** A step in plain words, with the port or site by name (its code in brackets). */
function stepText(
  s: { type: string; port?: string; siteId?: string },
  map: Pick<MapData, 'ports' | 'sites'>,
): string {
  const words = STEP_WORDS[s.type] ?? s.type.replace(/^aidwatch\./, '').replace(/\.v\d+$/, '');
  const port = s.port && map.ports.find((p) => p.locode === s.port);
  const site = s.siteId && map.sites.find((x) => x.siteId === s.siteId);
  const where = port
    ? ` at ${port.name} (${s.port})`
    : s.port
      ? ` at ${s.port}`
      : site
        ? ` at ${site.name} (${s.siteId})`
        : s.siteId
          ? ` at site ${s.siteId}`
          : '';
  return words + where;
}

async function showConsignment(id: string): Promise<void> {
  const view = document.getElementById('view')!;
  view.replaceChildren(h('p', {}, 'Loading…'));
  let c: ConsignmentView;
  let map: MapData & { steps: Array<{ type: string; at: string; port?: string; siteId?: string }> };
  try {
    [c, map] = await Promise.all([
      api!.get<ConsignmentView>(`/consignments/${encodeURIComponent(id)}`),
      api!.get<typeof map>(`/consignments/${encodeURIComponent(id)}/map`),
    ]);
  } catch (error) {
    view.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
    return;
  }
  const steps = ['registered', 'loaded', 'discharged', 'custody', 'delivered', 'verified'];
  // Each item on its own scale: items come in different units (tonnes, cartons), so one scale would compare
  // tonnes with cartons. A bar is the step's share of the item's largest quantity.
  const maxOf = (i: ConsignmentView['items'][number]) => Math.max(1, ...steps.map((s) => Number(i[s] ?? 0)));
  const quantities = h(
    'table',
    { class: 'quantities' },
    h('thead', {}, h('tr', {}, h('th', {}, 'item'), ...steps.map((s) => h('th', {}, s)))),
    h(
      'tbody',
      {},
      ...c.items.map((i) =>
        h(
          'tr',
          { 'data-item': String(i.itemCode) },
          h('th', {}, `${i.itemCode} (${i.unit ?? ''})`),
          ...steps.map((s) => {
            const q = i[s];
            if (q === null || q === undefined) return h('td', { class: 'empty' }, '—');
            const bar = h('span', { class: 'bar' });
            bar.style.width = `${Math.round((Number(q) / maxOf(i)) * 100)}%`; // CSSOM, allowed by the page's CSP
            return h('td', {}, bar, h('span', { class: 'qty' }, String(q)));
          }),
        ),
      ),
    ),
  );
  const timeline = h(
    'ol',
    { class: 'timeline' },
    ...[
      ...map.steps.map((s) => ({
        at: s.at,
        text: stepText(s, map),
        cls: 'step',
      })),
      ...map.alerts.map((a) => ({
        // The time of the flag whose sentence is shown (a re-worded flag is newer than its alert).
        at: a.flagRaisedAt ?? a.raisedAt,
        text: `${a.severity} ${a.rule} (${a.status}): ${a.explanation}`,
        cls: `flag severity-${a.severity}`,
      })),
    ]
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      .map((e) =>
        h(
          'li',
          { class: e.cls },
          e.at ? h('time', {}, e.at.slice(0, 16).replace('T', ' ')) : '',
          ` ${e.text}`,
        ),
      ),
  );
  const mapBox = h('div', { class: 'leaflet-box', id: 'map-canvas' });
  const vesselLinks = h('p', { id: 'consignment-vessels' }, 'Vessels: ');
  for (const v of [...(map.vessel ? [map.vessel] : []), ...map.partners])
    vesselLinks.append(h('a', { href: `#/vessels/${v.mmsi}` }, vesselTitle(v)), ' ');
  view.replaceChildren(
    h(
      'h1',
      {},
      `Consignment ${c.consignmentId} `,
      h('span', { class: `badge severity-${c.risk}`, id: 'risk' }, c.risk),
    ),
    h(
      'p',
      {},
      `${statusText(c.status)} · exemption ${c.exemptionId ?? '?'} · ${c.originPort ?? '?'} → ${c.destinationPort ?? '?'} · carrier `,
      c.vessel
        ? h('a', { href: `#/vessels/${c.vessel.mmsi}`, id: 'carrier-link' }, vesselTitle(c.vessel))
        : '?',
    ),
    h(
      'div',
      { class: 'columns' },
      h('section', { id: 'map' }, mapBox, vesselLinks),
      h('section', {}, h('h2', {}, 'Timeline'), timeline),
    ),
    h('h2', {}, 'Quantities per step'),
    h('div', { class: 'table-box' }, quantities),
  );
  currentMap = await drawMap(mapBox, map);
}

interface ConsignmentRow {
  consignmentId: string;
  exemptionId?: string | null;
  status: string;
  risk: string;
  vessel?: { mmsi: string; name?: string } | null;
  originPort?: string | null;
  destinationPort?: string | null;
  openFlags: number;
}

/** Lifecycle states a consignment can be in (the API's `status` filter). */
const CONSIGNMENT_STATUSES = [
  'registered',
  'loaded',
  'departed',
  'arrived',
  'discharged',
  'in-custody',
  'delivered',
  'verified',
];

/** The filters of the consignment list, kept while the console is open. */
const consignmentFilters: Record<string, string> = {};

/**
 * The consignment list: free-text search and filters by risk, status, exemption and vessel, each passed to
 * `GET /consignments` (q, risk, status, exemptionId, mmsi); the choices of exemption and vessel are those
 * of the consignments the caller may see.
 */
async function showConsignments(): Promise<void> {
  const view = document.getElementById('view')!;
  let all: ConsignmentRow[];
  try {
    all = (await api!.get<{ items: ConsignmentRow[] }>('/consignments?limit=10000')).items;
  } catch (error) {
    view.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
    return;
  }
  const select = (id: string, label: string, options: Array<[string, string]>) => {
    const el = h(
      'select',
      { id, 'aria-label': label },
      h('option', { value: '' }, `any ${label}`),
      ...options.map(([value, text]) => h('option', { value }, text)),
    );
    return el;
  };
  const exemptions = [...new Set(all.flatMap((c) => (c.exemptionId ? [c.exemptionId] : [])))].sort();
  const vessels = new Map<string, string>();
  for (const c of all) if (c.vessel) vessels.set(c.vessel.mmsi, vesselTitle(c.vessel));
  const controls: Record<string, HTMLInputElement | HTMLSelectElement> = {
    q: h('input', {
      id: 'search',
      type: 'search',
      placeholder: 'search: id, exemption, vessel, port',
      'aria-label': 'search consignments',
    }),
    risk: select(
      'filter-risk',
      'risk',
      ['critical', 'high', 'medium', 'low', 'none'].map((r) => [r, r]),
    ),
    status: select(
      'filter-status',
      'status',
      CONSIGNMENT_STATUSES.map((x) => [x, statusText(x)]),
    ),
    exemptionId: select(
      'filter-exemption',
      'exemption',
      exemptions.map((x) => [x, x]),
    ),
    mmsi: select(
      'filter-vessel',
      'vessel',
      [...vessels].sort((a, b) => a[1].localeCompare(b[1])),
    ),
  };
  for (const [k, el] of Object.entries(controls)) el.value = consignmentFilters[k] ?? '';
  const count = h('p', { id: 'consignment-count', class: 'hint' });
  const body = h('tbody');
  const table = h(
    'table',
    { id: 'consignments' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['consignment', 'risk', 'status', 'exemption', 'vessel', 'route', 'open flags'].map((c) =>
          h('th', {}, c),
        ),
      ),
    ),
    body,
  );
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    const params = new URLSearchParams({ limit: '10000' });
    for (const [k, el] of Object.entries(controls)) {
      consignmentFilters[k] = el.value.trim();
      if (el.value.trim()) params.set(k, el.value.trim());
    }
    let items: ConsignmentRow[];
    try {
      items = (await api!.get<{ items: ConsignmentRow[] }>(`/consignments?${params}`)).items;
    } catch (error) {
      count.textContent = (error as Error).message;
      return;
    }
    if (mine !== asked) return; // a newer search was asked meanwhile: its answer is the one to show
    count.textContent = `${items.length} of ${all.length} consignments`;
    body.replaceChildren(
      ...items.map((c) =>
        h(
          'tr',
          { 'data-consignment-id': c.consignmentId },
          h(
            'td',
            {},
            h('a', { href: `#/consignments/${encodeURIComponent(c.consignmentId)}` }, c.consignmentId),
          ),
          h('td', {}, h('span', { class: `badge severity-${c.risk}` }, c.risk)),
          h('td', { class: 'status', 'data-status': c.status }, statusText(c.status)),
          h('td', {}, c.exemptionId ?? ''),
          h('td', {}, c.vessel ? h('a', { href: `#/vessels/${c.vessel.mmsi}` }, vesselTitle(c.vessel)) : ''),
          h('td', {}, `${c.originPort ?? '?'} → ${c.destinationPort ?? '?'}`),
          h('td', { class: 'open-flags' }, String(c.openFlags)),
        ),
      ),
    );
  };
  const form = h(
    'form',
    { class: 'filters', id: 'consignment-filters', role: 'search' },
    ...Object.values(controls),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void refresh();
  });
  for (const el of Object.values(controls))
    if (el.tagName === 'SELECT') el.addEventListener('change', () => void refresh());
  view.replaceChildren(h('h1', {}, 'Consignments'), form, count, table);
  await refresh();
}

interface VesselView {
  mmsi: string;
  name?: string;
  names?: Array<{ name: string; from: string }>;
  imo?: string;
  callsign?: string;
  flagState?: string;
  track: MapVessel['track'];
  flags: Array<{
    flagId: string;
    rule: string;
    severity: string;
    status: string;
    raisedAt: string;
    explanation: string;
    consignmentIds: string[];
  }>;
  alerts: Array<{
    alertId: string;
    rule: string;
    severity: string;
    status: string;
    vessels: string[];
    consignmentIds: string[];
    explanation?: string;
  }>;
  consignments: Array<{
    consignmentId: string;
    exemptionId?: string;
    status: string;
    risk: string;
    originPort?: string | null;
    destinationPort?: string | null;
  }>;
}

/** "SU SONG, formerly YU SON 8 (until 2026-03-02)": the names a vessel reported before its newest. */
function formerNames(v: VesselView): HTMLElement | string {
  const names = v.names ?? [];
  if (names.length < 2) return '';
  const former = names.slice(0, -1).map((n, i) => `${n.name} (until ${names[i + 1].from.slice(0, 10)})`);
  return h(
    'p',
    { id: 'vessel-names' },
    `${names.at(-1)!.name}, formerly ${[...former].reverse().join(', formerly ')}`,
  );
}

/** A vessel (GET /vessels/:mmsi): identity, track on a map, flags, alerts naming it, consignments carried. */
async function showVessel(mmsi: string): Promise<void> {
  const view = document.getElementById('view')!;
  view.replaceChildren(h('p', {}, 'Loading…'));
  let v: VesselView;
  try {
    v = await api!.get<VesselView>(`/vessels/${encodeURIComponent(mmsi)}`);
  } catch (error) {
    view.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
    return;
  }
  const identity = [
    `MMSI ${v.mmsi}`,
    v.imo && `IMO ${v.imo}`,
    v.callsign && `call sign ${v.callsign}`,
    v.flagState && `flag ${v.flagState}`,
    `${v.track.length} positions`,
  ].filter(Boolean);
  const table = (id: string, head: string[], rows: HTMLTableRowElement[], empty: string) =>
    rows.length === 0
      ? h('p', { id, class: 'hint' }, empty)
      : h(
          'table',
          { id },
          h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
          h('tbody', {}, ...rows),
        );
  const consignmentLink = (id: string) => h('a', { href: `#/consignments/${encodeURIComponent(id)}` }, id);
  const flags = table(
    'vessel-flags',
    ['rule', 'severity', 'status', 'raised', 'consignments', 'what'],
    [...v.flags].reverse().map((f) => {
      const ids = h('td', {});
      for (const id of f.consignmentIds) ids.append(consignmentLink(id), ' ');
      return h(
        'tr',
        { 'data-flag-id': f.flagId, 'data-rule': f.rule },
        h('td', {}, f.rule),
        h('td', {}, h('span', { class: `badge severity-${f.severity}` }, f.severity)),
        h('td', {}, f.status),
        h('td', {}, f.raisedAt.slice(0, 16).replace('T', ' ')),
        ids,
        h('td', { class: 'explanation' }, f.explanation),
      );
    }),
    'No flag about this vessel.',
  );
  const alerts = table(
    'vessel-alerts',
    ['alert', 'severity', 'status', 'vessels', 'what'],
    v.alerts.map((a) => {
      const vessels = h('td', {});
      for (const m of a.vessels) vessels.append(h('a', { href: `#/vessels/${m}` }, m), ' ');
      return h(
        'tr',
        { 'data-alert-id': a.alertId, 'data-rule': a.rule },
        h('td', {}, h('a', { href: `#/alerts/${a.alertId}` }, a.rule)),
        h('td', {}, h('span', { class: `badge severity-${a.severity}` }, a.severity)),
        h('td', {}, a.status),
        vessels,
        h('td', { class: 'explanation' }, a.explanation ?? ''),
      );
    }),
    'No alert names this vessel.',
  );
  const carried = table(
    'vessel-consignments',
    ['consignment', 'risk', 'status', 'exemption', 'route'],
    v.consignments.map((c) =>
      h(
        'tr',
        { 'data-consignment-id': c.consignmentId },
        h('td', {}, consignmentLink(c.consignmentId)),
        h('td', {}, h('span', { class: `badge severity-${c.risk}` }, c.risk)),
        h('td', { 'data-status': c.status }, statusText(c.status)),
        h('td', {}, c.exemptionId ?? ''),
        h('td', {}, `${c.originPort ?? '?'} → ${c.destinationPort ?? '?'}`),
      ),
    ),
    'No consignments carried by this vessel are on record.',
  );
  const mapBox = h('div', { class: 'leaflet-box', id: 'map-canvas' });
  view.replaceChildren(
    h(
      'h1',
      {},
      `Vessel ${v.name ?? ''} `.replace('  ', ' '),
      h('small', { id: 'vessel-mmsi' }, `MMSI ${v.mmsi}`),
    ),
    formerNames(v),
    h('p', { id: 'vessel-identity' }, identity.join(' · ')),
    h(
      'div',
      { class: 'columns' },
      h('section', { id: 'map' }, mapBox),
      h('section', {}, h('h2', {}, 'Consignments carried'), h('div', { class: 'table-box' }, carried)),
    ),
    h('h2', {}, 'Alerts naming it'),
    h('div', { class: 'table-box' }, alerts),
    h('h2', {}, 'Flags about it'),
    h('div', { class: 'table-box' }, flags),
  );
  currentMap = await drawMap(
    mapBox,
    {
      vessel: { mmsi: v.mmsi, name: v.name, track: v.track },
      partners: [],
      route: [],
      ports: [],
      sites: [],
      alerts: [],
    },
    { vesselRole: 'track of' },
  );
}

window.addEventListener('hashchange', () => void route());
const saved = sessionStorage.getItem(KEY);
if (saved) void signIn(saved);
else showLogin();
