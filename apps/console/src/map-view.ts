/**
 * Interactive maps (pan and zoom) drawn with Leaflet's SVG renderer on offline data only: a plain sea and
 * the coastline shipped with the console (Natural Earth 1:50m land, public domain); no tile server.
 * Every track, gap and marker is an SVG element with a <title> naming what it is (a vessel by name and
 * MMSI), so it is read out by assistive technology, shown as a tooltip, and found by tests.
 */
import * as L from './leaflet.js';

export type LonLat = [number, number];

/** A fix: [lon, lat, RFC 3339 time]. */
export type Fix = [number, number, string];

export interface MapVessel {
  mmsi: string;
  /** The name as of the consignment's voyage (what the alerts of the time say). */
  name?: string;
  /** Its newest name, when it has changed since. */
  currentName?: string;
  track: Fix[];
}

export interface MapData {
  vessel: MapVessel | null;
  partners: MapVessel[];
  route: LonLat[];
  ports: Array<{ locode: string; name: string; location: LonLat }>;
  sites: Array<{ siteId: string; name: string; location: LonLat }>;
  alerts: Array<{
    alertId: string;
    rule: string;
    severity: string;
    status: string;
    location: LonLat | null;
    explanation: string;
    raisedAt: string;
    /** When the flag whose explanation is given was raised. */
    flagRaisedAt?: string;
  }>;
}

interface Coastline {
  rings: LonLat[][];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Two fixes further apart than this (1 h; class A reports every few seconds to minutes) leave a gap. */
const GAP_MS = 3_600_000;
/** One colour per vessel, the carrier first; told apart also by dash pattern and the legend. */
const VESSEL_COLOURS = ['#12518a', '#d0541b', '#7b2d8e', '#2e7d32', '#b8860b', '#00838f'];
let coastline: Promise<Coastline> | undefined;

/**
 * "NAME (MMSI 123456789)", or "MMSI 123456789" when the name is not known; ", now NEWER NAME" when the
 * vessel has been renamed since the name given.
 */
export function vesselTitle(v: { mmsi: string; name?: string; currentName?: string }): string {
  const named = v.name ? `${v.name} (MMSI ${v.mmsi})` : `MMSI ${v.mmsi}`;
  return v.currentName && v.currentName !== v.name ? `${named}, now ${v.currentName}` : named;
}

/** Zoom levels a map allows: from the whole region down to a few kilometres (nothing finer is drawn). */
export const MIN_ZOOM = 3;
export const MAX_ZOOM = 12;

/**
 * Hides labels that would overlap an earlier one or reach past the map's edge (their marker keeps its
 * title); called again after every zoom or pan, so a label comes back where there is room. Earlier
 * labels win: ports, then sites, then alerts, in the order drawn.
 */
function declutter(map: L.Map, labelled: L.Layer[]): void {
  const box = map.getContainer().getBoundingClientRect();
  const shown: DOMRect[] = [];
  for (const layer of labelled) {
    layer.openTooltip();
    const element = layer.getTooltip()?.getElement();
    if (!element) continue;
    const r = element.getBoundingClientRect();
    const outside = r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
    const overlaps = shown.some(
      (o) => r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom,
    );
    if (outside || overlaps) layer.closeTooltip();
    else shown.push(r);
  }
}

/** Gives a drawn layer's SVG element a <title> and attributes (data-mmsi, …). */
function titled(layer: L.Path, title: string, attrs: Record<string, string> = {}): void {
  const element = layer.getElement();
  if (!element) return;
  const t = document.createElementNS(SVG_NS, 'title');
  t.textContent = title;
  element.append(t);
  for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, v);
}

/** A track split where the vessel was silent longer than GAP_MS: the seen stretches, and the gaps between. */
function split(track: Fix[]): { seen: L.LatLngExpression[][]; gaps: Array<{ from: Fix; to: Fix }> } {
  const seen: L.LatLngExpression[][] = [];
  const gaps: Array<{ from: Fix; to: Fix }> = [];
  let current: L.LatLngExpression[] = [];
  track.forEach((fix, i) => {
    const previous = track[i - 1];
    if (previous && Date.parse(fix[2]) - Date.parse(previous[2]) > GAP_MS) {
      if (current.length > 0) seen.push(current);
      gaps.push({ from: previous, to: fix });
      current = [];
    }
    current.push([fix[1], fix[0]]);
  });
  if (current.length > 0) seen.push(current);
  return { seen, gaps };
}

/** A legend row: a small SVG symbol and its text. */
function legendRow(symbol: string, text: string): HTMLElement {
  const row = document.createElement('div');
  row.className = 'legend-row';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', '34');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = symbol; // constant markup built below from fixed strings and colour constants
  const label = document.createElement('span');
  label.textContent = text;
  row.append(svg, label);
  return row;
}

const line = (colour: string, dash = '') =>
  `<path d="M2,7L32,7" stroke="${colour}" stroke-width="3" fill="none"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;

/**
 * Draws the map into `container` (which gets a fixed height from the stylesheet) and fits it to everything
 * shown. `vesselRole` names `data.vessel` in its title and the legend (default `carrier`). Returns the
 * Leaflet map (for tests and callers: zoom, bounds).
 */
export async function drawMap(
  container: HTMLElement,
  data: MapData,
  options: { vesselRole?: string } = {},
): Promise<L.Map> {
  coastline ??= fetch('/console/coastline.json').then((r) => r.json() as Promise<Coastline>);
  const land = await coastline;
  const map = L.map(container, {
    renderer: L.svg({ padding: 0.5 }),
    zoomSnap: 0.25,
    minZoom: MIN_ZOOM,
    maxZoom: MAX_ZOOM,
    attributionControl: true,
    worldCopyJump: false,
  });
  // A first view at once: layers are drawn (their SVG elements made) only on a map that has one.
  map.setView([39, 126], 5);
  map.attributionControl.setPrefix('');
  map.attributionControl.addAttribution('Coastline: Natural Earth (public domain) · map: Leaflet');
  // The coastline: one polygon layer, not interactive (clicks go to what is drawn above it).
  L.polygon(
    land.rings.map((ring) => ring.map(([lon, lat]) => [lat, lon] as L.LatLngTuple)),
    {
      className: 'land',
      interactive: false,
      stroke: true,
      weight: 0.6,
      color: '#a89f8a',
      fillColor: '#efe9dc',
      fillOpacity: 1,
    },
  ).addTo(map);

  const bounds = L.latLngBounds([]);
  const legend: HTMLElement[] = [];
  if (data.route.length > 1) {
    const route = L.polyline(
      data.route.map(([lon, lat]) => [lat, lon] as L.LatLngTuple),
      { className: 'route', color: '#5b7083', weight: 2, dashArray: '2 6', interactive: true },
    ).addTo(map);
    titled(route, 'declared route');
    bounds.extend(route.getBounds());
    legend.push(legendRow(line('#5b7083', '2 4'), 'declared route'));
  }

  // The carrier first, then every other vessel above it, each in its own colour: a meeting's partner is
  // never hidden under the carrier's line. Gaps are drawn as thin dotted lines between where the vessel
  // went dark and where it reappeared, never as if it had been seen sailing there.
  const vessels = [
    ...(data.vessel ? [{ v: data.vessel, role: options.vesselRole ?? 'carrier' }] : []),
  ].concat(data.partners.map((v) => ({ v, role: 'vessel met at sea' })));
  let gaps = 0;
  vessels.forEach(({ v, role }, i) => {
    const colour = VESSEL_COLOURS[i % VESSEL_COLOURS.length];
    const name = vesselTitle(v);
    const cls = i === 0 && data.vessel ? 'track' : 'partner-track';
    const { seen, gaps: silent } = split(v.track);
    if (seen.length > 0) {
      const track = L.polyline(seen, {
        className: cls,
        color: colour,
        weight: i === 0 ? 3 : 2.5,
        dashArray: i === 0 ? undefined : '7 4',
      }).addTo(map);
      titled(track, `${role} ${name}`, { 'data-mmsi': v.mmsi });
      bounds.extend(track.getBounds());
    }
    for (const g of silent) {
      const hours = (Date.parse(g.to[2]) - Date.parse(g.from[2])) / 3_600_000;
      const gap = L.polyline(
        [
          [g.from[1], g.from[0]],
          [g.to[1], g.to[0]],
        ],
        { className: 'track-gap', color: colour, weight: 1.5, dashArray: '1 6', opacity: 0.9 },
      ).addTo(map);
      titled(gap, `${name}: no position for ${hours.toFixed(1)} h`, { 'data-mmsi': v.mmsi });
      gaps++;
    }
    const last = v.track.at(-1);
    if (last) {
      const marker = L.circleMarker([last[1], last[0]], {
        className: 'vessel-marker',
        radius: 6,
        color: '#fff',
        weight: 2,
        fillColor: colour,
        fillOpacity: 1,
      }).addTo(map);
      titled(marker, `${name}, last position ${last[2].slice(0, 16).replace('T', ' ')} UTC`, {
        'data-mmsi': v.mmsi,
      });
    }
    legend.push(
      legendRow(
        line(colour, i === 0 ? '' : '7 4'),
        `${role} ${name}${v.track.length === 0 ? ': no AIS positions in this period' : ''}`,
      ),
    );
  });
  if (gaps > 0) legend.push(legendRow(line('#5b7083', '1 4'), 'AIS gap (no positions)'));

  const labelled: L.Layer[] = [];
  const label = (layer: L.Path, text: string, cls: string) =>
    labelled.push(layer) &&
    layer.bindTooltip(text, {
      permanent: true,
      direction: 'auto',
      className: `label ${cls}`,
      offset: [6, 0],
    });
  for (const p of data.ports) {
    const port = L.circleMarker([p.location[1], p.location[0]], {
      className: 'port',
      radius: 5,
      color: '#1d2733',
      fillColor: '#1d2733',
      fillOpacity: 1,
    }).addTo(map);
    titled(port, `port ${p.name} (${p.locode})`);
    label(port, p.name, 'port-label');
    bounds.extend(port.getLatLng());
  }
  if (data.ports.length > 0) legend.push(legendRow('<circle cx="17" cy="7" r="5" fill="#1d2733"/>', 'port'));
  for (const s of data.sites) {
    const site = L.circleMarker([s.location[1], s.location[0]], {
      className: 'site',
      radius: 5,
      color: '#1b5e20',
      fillColor: '#2e9d58',
      fillOpacity: 1,
    }).addTo(map);
    titled(site, `distribution site ${s.name} (${s.siteId})`);
    label(site, s.name, 'site-label');
    bounds.extend(site.getLatLng());
  }
  if (data.sites.length > 0)
    legend.push(
      legendRow('<circle cx="17" cy="7" r="5" fill="#2e9d58" stroke="#1b5e20"/>', 'distribution site'),
    );
  let alerts = 0;
  for (const a of data.alerts) {
    if (!a.location) continue;
    alerts++;
    const marker = L.circleMarker([a.location[1], a.location[0]], {
      className: `alert-marker severity-${a.severity} rule-${a.rule}`,
      radius: a.rule === 'encounter' ? 11 : 7,
      color: a.severity === 'critical' ? '#8e1b1b' : '#d0541b',
      weight: 2,
      fillOpacity: 0.25,
    }).addTo(map);
    titled(marker, `${a.rule} (${a.severity}, ${a.status}): ${a.explanation}`, {
      'data-alert-id': a.alertId,
    });
    if (a.rule === 'encounter') label(marker, 'STS encounter', 'encounter-label');
    bounds.extend(marker.getLatLng());
  }
  if (alerts > 0)
    legend.push(
      legendRow(
        '<circle cx="17" cy="7" r="5" fill="rgba(208,84,27,0.3)" stroke="#d0541b" stroke-width="2"/>',
        'alert',
      ),
    );

  const legendControl = new L.Control({ position: 'bottomleft' });
  legendControl.onAdd = () => {
    const box = L.DomUtil.create('div', 'legend');
    box.setAttribute('role', 'list');
    box.setAttribute('aria-label', 'legend');
    for (const row of legend) {
      row.setAttribute('role', 'listitem');
      box.append(row);
    }
    return box;
  };
  legendControl.addTo(map);
  L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
  // Room around the content so labels beside the outermost symbols stay inside the map.
  if (bounds.isValid())
    map.fitBounds(bounds, { paddingTopLeft: [60, 40], paddingBottomRight: [60, 40], animate: false });
  declutter(map, labelled);
  map.on('zoomend moveend', () => declutter(map, labelled));
  // Once the fonts are in and the page laid out, labels have their final size: place them again, and say
  // so (`data-labels-placed`) for whoever waits for the finished map.
  void document.fonts.ready.then(() =>
    requestAnimationFrame(() => {
      declutter(map, labelled);
      container.dataset.labelsPlaced = 'true';
    }),
  );
  return map;
}
