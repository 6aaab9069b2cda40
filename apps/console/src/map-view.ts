/** An SVG map drawn from an offline coastline (Natural Earth 1:50m land, shipped with the console). */

export type LonLat = [number, number];

export interface MapData {
  vessel: { mmsi: string; name?: string; track: Array<[number, number, string]> };
  partners: Array<{ mmsi: string; track: Array<[number, number, string]> }>;
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
  }>;
}

interface Coastline {
  rings: LonLat[][];
}

const SVG = 'http://www.w3.org/2000/svg';
/** Average width of a label character at the map's label size (px in the viewBox), to keep labels inside. */
const LABEL_CHAR_WIDTH = 7;
/** Two fixes further apart than this (1 h; class A reports every few seconds to minutes) leave a gap. */
const GAP_MS = 3_600_000;
const WIDTH = 900;
const HEIGHT = 560;
let coastline: Promise<Coastline> | undefined;

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Draws the map of one consignment into an <svg>, fitted to everything it shows. */
export async function drawMap(data: MapData): Promise<SVGSVGElement> {
  coastline ??= fetch('/console/coastline.json').then((r) => r.json() as Promise<Coastline>);
  const land = await coastline;
  const points: LonLat[] = [
    ...data.vessel.track.map(([lon, lat]) => [lon, lat] as LonLat),
    ...data.partners.flatMap((p) => p.track.map(([lon, lat]) => [lon, lat] as LonLat)),
    ...data.route,
    ...data.ports.map((p) => p.location),
    ...data.sites.map((s) => s.location),
    ...data.alerts.flatMap((a) => (a.location ? [a.location] : [])),
  ];
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  let [west, east, south, north] = points.length
    ? [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)]
    : [117, 135, 33, 45];
  const pad = 0.6;
  west -= pad;
  east += pad;
  south -= pad;
  north += pad;
  const k = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const scale = Math.min(WIDTH / ((east - west) * k), HEIGHT / (north - south));
  const cx = (west + east) / 2;
  const cy = (south + north) / 2;
  const x = (lon: number) => WIDTH / 2 + (lon - cx) * k * scale;
  const y = (lat: number) => HEIGHT / 2 - (lat - cy) * scale;
  const path = (pts: LonLat[]) =>
    pts.map(([lon, lat], i) => `${i ? 'L' : 'M'}${x(lon).toFixed(1)},${y(lat).toFixed(1)}`).join('');

  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'map',
    role: 'img',
    'aria-label': 'map of the voyage',
  }) as SVGSVGElement;
  svg.append(el('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: 'sea' }));
  const landGroup = el('g', { class: 'land' });
  for (const ring of land.rings) landGroup.append(el('path', { d: `${path(ring)}Z` }));
  svg.append(landGroup);
  if (data.route.length > 1) {
    const route = el('path', { d: path(data.route), class: 'route' });
    route.append(el('title', {}, 'declared route'));
    svg.append(route);
  }
  // The carrier first, then the vessels it met on top of it: a meeting's partner is never hidden under the
  // carrier's line. Each track is titled with the vessel's name and MMSI (a tooltip, and a name for tests).
  // A silence longer than GAP_MS between two fixes is drawn as a gap (a thin dashed line between where the
  // vessel went dark and where it reappeared), not as if it had been seen sailing there.
  let gaps = 0;
  const trackOf = (track: Array<[number, number, string]>, cls: string, mmsi: string, title: string) => {
    const g = el('g', { class: `${cls}-group` });
    let d = '';
    for (const [i, [lon, lat, at]] of track.entries()) {
      const previous = track[i - 1];
      const silent = previous ? Date.parse(at) - Date.parse(previous[2]) : 0;
      if (previous && silent > GAP_MS) {
        const gap = el('path', {
          d: path([
            [previous[0], previous[1]],
            [lon, lat],
          ]),
          class: 'track-gap',
          'data-mmsi': mmsi,
        });
        gap.append(el('title', {}, `${title}: no position for ${(silent / 3_600_000).toFixed(1)} h`));
        g.append(gap);
        gaps++;
        d += `M${x(lon).toFixed(1)},${y(lat).toFixed(1)}`;
      } else d += `${i ? 'L' : 'M'}${x(lon).toFixed(1)},${y(lat).toFixed(1)}`;
    }
    const line = el('path', { d, class: cls, 'data-mmsi': mmsi });
    line.append(el('title', {}, title));
    g.prepend(line);
    return g;
  };
  if (data.vessel.track.length > 1)
    svg.append(
      trackOf(
        data.vessel.track,
        'track',
        data.vessel.mmsi,
        `carrier ${data.vessel.name ?? ''} (MMSI ${data.vessel.mmsi})`.replace('  ', ' '),
      ),
    );
  for (const p of data.partners)
    if (p.track.length > 1)
      svg.append(trackOf(p.track, 'partner-track', p.mmsi, `vessel met at sea (MMSI ${p.mmsi})`));
  // A label that would run past the right edge goes to the left of its symbol instead (never clipped).
  const label = (at: number, atY: number, text: string, cls: string) => {
    const right = at + 7 + text.length * LABEL_CHAR_WIDTH <= WIDTH;
    return el(
      'text',
      { x: right ? at + 7 : at - 7, y: atY + 4, class: cls, 'text-anchor': right ? 'start' : 'end' },
      text,
    );
  };
  for (const p of data.ports) {
    const [px, py] = [x(p.location[0]), y(p.location[1])];
    svg.append(el('rect', { x: px - 4, y: py - 4, width: 8, height: 8, class: 'port' }));
    svg.append(label(px, py, p.name, 'label'));
  }
  for (const s of data.sites) {
    const [sx, sy] = [x(s.location[0]), y(s.location[1])];
    svg.append(el('path', { d: `M${sx},${sy - 6}L${sx + 5},${sy + 4}L${sx - 5},${sy + 4}Z`, class: 'site' }));
    svg.append(label(sx, sy, s.name, 'label site-label'));
  }
  for (const a of data.alerts) {
    if (!a.location) continue;
    const [ax, ay] = [x(a.location[0]), y(a.location[1])];
    const g = el('g', {
      class: `alert-marker severity-${a.severity} rule-${a.rule}`,
      'data-alert-id': a.alertId,
    });
    g.append(el('title', {}, `${a.rule} (${a.severity}, ${a.status}): ${a.explanation}`));
    g.append(el('circle', { cx: ax, cy: ay, r: a.rule === 'encounter' ? 11 : 7 }));
    if (a.rule === 'encounter')
      g.append(el('text', { x: ax + 14, y: ay - 10, class: 'label encounter-label' }, 'STS encounter'));
    if (a.rule === 'ais-gap') g.append(el('text', { x: ax + 10, y: ay + 16, class: 'label' }, 'AIS gap'));
    svg.append(g);
  }
  // The legend names every kind of symbol the map draws, one row each.
  const rows: Array<[symbol: (cy: number) => SVGElement, text: string]> = [
    [
      (cy) => el('path', { d: `M10,${cy}L40,${cy}`, class: 'track' }),
      `carrier ${data.vessel.name ?? data.vessel.mmsi}`,
    ],
  ];
  if (data.partners.length > 0)
    rows.push([(cy) => el('path', { d: `M10,${cy}L40,${cy}`, class: 'partner-track' }), 'vessel met at sea']);
  if (data.route.length > 1)
    rows.push([(cy) => el('path', { d: `M10,${cy}L40,${cy}`, class: 'route' }), 'declared route']);
  if (gaps > 0)
    rows.push([
      (cy) => el('path', { d: `M10,${cy}L40,${cy}`, class: 'track-gap' }),
      'AIS gap (no positions)',
    ]);
  if (data.ports.length > 0)
    rows.push([(cy) => el('rect', { x: 21, y: cy - 4, width: 8, height: 8, class: 'port' }), 'port']);
  if (data.sites.length > 0)
    rows.push([
      (cy) => el('path', { d: `M25,${cy - 6}L30,${cy + 4}L20,${cy + 4}Z`, class: 'site' }),
      'distribution site',
    ]);
  if (data.alerts.length > 0)
    rows.push([(cy) => el('circle', { cx: 25, cy, r: 5, class: 'legend-alert' }), 'alert']);
  const height = 12 + rows.length * 18;
  const legend = el('g', { class: 'legend', transform: `translate(12, ${HEIGHT - height - 10})` });
  legend.append(el('rect', { x: 0, y: 0, width: 240, height, class: 'legend-box' }));
  rows.forEach(([symbol, text], i) => {
    const cy = 15 + i * 18;
    const row = el('g', { class: 'legend-row' });
    row.append(symbol(cy), el('text', { x: 48, y: cy + 4, class: 'label' }, text));
    legend.append(row);
  });
  svg.append(legend);
  return svg;
}
