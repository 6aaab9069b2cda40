import { ApiCallError, ApiClient } from './api-client.js';
import { AlertEventStream, type StreamEvent } from './event-stream.js';
import { drawMap, type MapData } from './map-view.js';

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
  history?: Array<{ type: string; at: string; by: string; note?: string; assignee?: string }>;
}

const KEY = 'aidwatch.console.key';
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

async function signIn(key: string): Promise<void> {
  const client = new ApiClient(key);
  try {
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
    h('nav', {}, h('a', { href: '#/alerts' }, 'Alerts')),
    h('span', { class: 'spacer' }),
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
      { 'data-event-id': e.id, 'data-type': e.type, class: duplicate ? 'duplicate' : '' },
      h('code', {}, e.id),
      ` ${e.type.replace(/^aidwatch\./, '')} `,
      h('strong', {}, rule),
      ` ${d.consignmentIds?.join(', ') ?? ''}`,
    );
    feed.prepend(li);
    while (feed.children.length > 300) feed.lastElementChild?.remove();
  }
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refreshAlerts(), 250);
}

async function route(): Promise<void> {
  const hash = location.hash || '#/alerts';
  const m = /^#\/consignments\/(.+)$/.exec(hash);
  if (m) await showConsignment(decodeURIComponent(m[1]));
  else showAlerts();
}

function filterQuery(): string {
  const params = new URLSearchParams();
  const severities = [...document.querySelectorAll<HTMLInputElement>('input[name=severity]:checked')].map(
    (i) => i.value,
  );
  if (severities.length) params.set('severity', severities.join(','));
  for (const name of ['status', 'rule', 'consignmentId']) {
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
  const filters = h(
    'form',
    { class: 'filters', id: 'filters' },
    severities,
    status,
    rule,
    consignment,
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
        ...['severity', 'rule', 'consignments', 'status', 'assignee', 'last seen', 'what'].map((c) =>
          h('th', {}, c),
        ),
      ),
    ),
    h('tbody'),
  );
  const detail = h('section', { id: 'alert-detail', class: 'detail' });
  const live = h(
    'section',
    { class: 'live' },
    h('h2', {}, 'Live events ', h('span', { id: 'event-count' }, String(seenEventIds.size))),
    h(
      'p',
      { class: 'hint', id: 'live-hint' },
      'Flags raised or cleared and alert actions as they happen, since this page opened (newest first).',
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
    h('p', {}, `Seen ${a.occurrences} time(s); subject ${a.subject.kind} ${a.subject.id}`),
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
          h('strong', {}, e.type),
          ` ${e.at.slice(0, 19).replace('T', ' ')} by ${e.by}`,
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
        at: a.raisedAt,
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
  const svg = await drawMap(map);
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
      `${c.status} · exemption ${c.exemptionId ?? '?'} · ${c.originPort ?? '?'} → ${c.destinationPort ?? '?'} · carrier ${c.vessel?.name ?? ''} (${c.vessel?.mmsi ?? '?'})`,
    ),
    h(
      'div',
      { class: 'columns' },
      h('section', { id: 'map' }, svg),
      h('section', {}, h('h2', {}, 'Timeline'), timeline),
    ),
    h('h2', {}, 'Quantities per step'),
    quantities,
  );
}

window.addEventListener('hashchange', () => void route());
const saved = sessionStorage.getItem(KEY);
if (saved) void signIn(saved);
else showLogin();
