import type { PortDeclaredData } from '@aidwatch/domain';
import CheapRuler from 'cheap-ruler';
import { HARBOUR_PATHS, LINK_VIAS } from './sea-lane-routes';

export type LonLat = [number, number];

// Hand-placed open-water waypoints of the Bohai, Yellow, East China and Japan seas and the Seto Inland Sea.
// The links between them were then routed over water (sea-lane-routes.ts). Ports join the network through
// their approach waypoints (PORT_APPROACHES).
// prettier-ignore
const NODES: Record<string, LonLat> = {
  BOHAI_W: [118.3, 38.85], BOHAI_C: [119.6, 38.6], BOHAI_STRAIT: [121.0, 38.55], LONGKOU_APP: [120.2, 37.8],
  DALIAN_BAY: [121.78, 38.93], DALIAN_APP: [121.8, 38.8], YANTAI_APP: [121.45, 37.7], YELLOW_N: [122.4, 38.3],
  KOREA_BAY: [123.6, 39.0], DANDONG_APP: [124.05, 39.65], SINUIJU_APP: [124.315, 39.94],
  NAMPO_APP: [125.05, 38.62], NAMPO_OUT: [124.6, 38.45], HAEJU_APP: [125.55, 37.75],
  YELLOW_NE: [124.3, 37.3], YELLOW_C: [123.8, 36.2], SHANDONG_E: [123.0, 37.2], SHANDONG_SE: [121.0, 35.7],
  QD_APP: [120.4, 35.95], LYG_APP: [119.7, 34.8], YELLOW_SW: [122.0, 34.0], YELLOW_SE: [125.3, 35.6],
  INCHEON_APP: [126.47, 37.36], INCHEON_OUT: [125.9, 37.05], PTK_APP: [126.515, 36.975], PTK_OUT: [125.9, 36.95],
  MOKPO_APP: [126.25, 34.7], MOKPO_OUT: [125.75, 34.55], KOREA_SW: [125.8, 34.0], JEJU_N: [126.7, 33.85],
  KOREA_S: [127.6, 34.2], GWANGYANG_APP: [127.83, 34.7], KOREA_STRAIT_W: [128.8, 34.55], BUSAN_APP: [129.08, 35.02],
  KOREA_STRAIT_E: [129.85, 34.3], KS_NE: [129.8, 35.2], ULSAN_APP: [129.48, 35.44], POHANG_APP: [129.48, 36.1],
  EAST_KR_1: [129.8, 36.2], EAST_SEA_SW: [130.2, 36.0], EAST_KR_N: [129.0, 38.2], EAST_DPRK_S: [128.3, 39.4],
  WONSAN_APP: [127.58, 39.25], HUNGNAM_APP: [127.75, 39.72], KIMCHAEK_APP: [129.35, 40.55],
  EAST_DPRK_N: [129.9, 40.9], CHONGJIN_APP: [129.95, 41.65], RAJIN_APP: [130.42, 42.15], TUMEN_OFF: [130.8, 42.1],
  POSYET_APP: [130.9, 42.58], ZARUBINO_APP: [131.12, 42.58], PETER_GULF_S: [131.5, 42.35],
  VVO_BOSPHORUS: [131.945, 43.065], VVO_APP: [131.98, 42.98], NAKHODKA_APP: [132.88, 42.7],
  VOSTOCHNY_APP: [133.07, 42.68], PETER_GULF_C: [132.3, 42.45], EAST_SEA_N: [131.8, 41.5],
  EAST_SEA_C: [131.5, 39.0], JP_SEA_C: [135.5, 38.5],
  JP_W1: [131.2, 34.9], JP_W2: [132.5, 35.75], SAKAI_APP: [133.35, 35.62], JP_W3: [134.5, 36.0],
  MAIZURU_APP: [135.4, 35.62], WAKASA: [135.5, 35.85], NOTO_W: [136.5, 36.95], NOTO_N: [137.2, 37.75],
  TOYAMA_BAY_N: [137.45, 37.3], TOYAMA_APP: [137.3, 36.95], SADO_S: [138.35, 37.62], NIIGATA_APP: [139.0, 38.0],
  GENKAI: [130.1, 33.9], HAKATA_APP: [130.27, 33.69], HIBIKI: [130.7, 34.1], KANMON_E: [131.05, 33.92],
  SUONADA: [131.4, 33.85], IYONADA: [132.25, 33.75], KURUSHIMA: [133.0, 34.12], HIUCHI: [133.35, 34.1],
  BISAN: [133.75, 34.38], HARIMA: [134.55, 34.55], AKASHI: [135.02, 34.61], OSAKA_BAY: [135.25, 34.55],
  KITAN: [135.03, 34.27], KII_CH: [134.95, 33.9], SHIONO: [135.75, 33.3], ENSHU: [137.6, 34.35],
  OMAEZAKI_S: [138.25, 34.45], IZU_S: [138.85, 34.45], OSHIMA_W: [139.25, 34.85], SAGAMI_E: [139.65, 35.0],
  URAGA: [139.77, 35.2], YOKOHAMA_APP: [139.72, 35.4],
  SH_RIVER: [121.95, 31.28], YANGTZE_APP: [122.45, 31.15], ECS_N: [123.2, 31.5], NINGBO_APP: [122.05, 29.9],
  XIAZHIMEN: [122.295, 29.77], ZHOUSHAN_E: [122.8, 29.75],
};

// prettier-ignore
const EDGES: [string, string][] = [
  ['BOHAI_W', 'BOHAI_C'], ['BOHAI_C', 'BOHAI_STRAIT'], ['BOHAI_C', 'LONGKOU_APP'], ['LONGKOU_APP', 'BOHAI_STRAIT'],
  ['BOHAI_STRAIT', 'DALIAN_APP'], ['DALIAN_BAY', 'DALIAN_APP'], ['DALIAN_APP', 'YELLOW_N'], ['BOHAI_STRAIT', 'YELLOW_N'],
  ['YANTAI_APP', 'BOHAI_STRAIT'], ['YANTAI_APP', 'YELLOW_N'], ['YELLOW_N', 'KOREA_BAY'], ['KOREA_BAY', 'DANDONG_APP'],
  ['DANDONG_APP', 'SINUIJU_APP'], ['KOREA_BAY', 'NAMPO_OUT'], ['NAMPO_APP', 'NAMPO_OUT'], ['NAMPO_OUT', 'YELLOW_NE'],
  ['YELLOW_N', 'SHANDONG_E'], ['YELLOW_N', 'YELLOW_NE'], ['SHANDONG_E', 'YELLOW_NE'], ['SHANDONG_E', 'YELLOW_C'],
  ['HAEJU_APP', 'YELLOW_NE'], ['HAEJU_APP', 'INCHEON_OUT'], ['YELLOW_NE', 'INCHEON_OUT'], ['YELLOW_NE', 'YELLOW_C'],
  ['INCHEON_APP', 'INCHEON_OUT'], ['INCHEON_OUT', 'PTK_OUT'], ['PTK_APP', 'PTK_OUT'], ['PTK_OUT', 'YELLOW_SE'],
  ['YELLOW_C', 'YELLOW_SE'], ['YELLOW_C', 'SHANDONG_SE'], ['YELLOW_C', 'YELLOW_SW'], ['SHANDONG_E', 'SHANDONG_SE'],
  ['SHANDONG_SE', 'QD_APP'], ['SHANDONG_SE', 'LYG_APP'], ['SHANDONG_SE', 'YELLOW_SW'], ['LYG_APP', 'YELLOW_SW'],
  ['YELLOW_SW', 'ECS_N'], ['YELLOW_SW', 'KOREA_SW'], ['YELLOW_SE', 'MOKPO_OUT'], ['YELLOW_SE', 'KOREA_SW'],
  ['MOKPO_APP', 'MOKPO_OUT'], ['MOKPO_OUT', 'KOREA_SW'], ['KOREA_SW', 'JEJU_N'], ['JEJU_N', 'KOREA_S'],
  ['KOREA_S', 'GWANGYANG_APP'], ['KOREA_S', 'KOREA_STRAIT_W'], ['KOREA_STRAIT_W', 'BUSAN_APP'],
  ['KOREA_STRAIT_W', 'KOREA_STRAIT_E'], ['BUSAN_APP', 'KS_NE'], ['KOREA_STRAIT_E', 'KS_NE'], ['KS_NE', 'ULSAN_APP'],
  ['KS_NE', 'EAST_KR_1'], ['ULSAN_APP', 'EAST_KR_1'], ['POHANG_APP', 'EAST_KR_1'], ['EAST_KR_1', 'EAST_SEA_SW'],
  ['KS_NE', 'EAST_SEA_SW'], ['EAST_KR_1', 'EAST_KR_N'], ['EAST_SEA_SW', 'EAST_SEA_C'], ['EAST_KR_N', 'EAST_SEA_C'],
  ['EAST_KR_N', 'EAST_DPRK_S'], ['EAST_DPRK_S', 'WONSAN_APP'], ['EAST_DPRK_S', 'HUNGNAM_APP'],
  ['EAST_DPRK_S', 'KIMCHAEK_APP'], ['EAST_DPRK_S', 'EAST_SEA_C'], ['KIMCHAEK_APP', 'EAST_DPRK_N'],
  ['EAST_DPRK_N', 'CHONGJIN_APP'], ['EAST_DPRK_N', 'EAST_SEA_N'], ['CHONGJIN_APP', 'TUMEN_OFF'],
  ['RAJIN_APP', 'TUMEN_OFF'], ['TUMEN_OFF', 'POSYET_APP'], ['TUMEN_OFF', 'PETER_GULF_S'], ['POSYET_APP', 'ZARUBINO_APP'],
  ['ZARUBINO_APP', 'PETER_GULF_S'], ['PETER_GULF_S', 'PETER_GULF_C'], ['PETER_GULF_S', 'EAST_SEA_N'],
  ['VVO_BOSPHORUS', 'VVO_APP'], ['VVO_APP', 'PETER_GULF_C'], ['VVO_APP', 'PETER_GULF_S'], ['PETER_GULF_C', 'NAKHODKA_APP'],
  ['PETER_GULF_C', 'VOSTOCHNY_APP'], ['NAKHODKA_APP', 'VOSTOCHNY_APP'], ['PETER_GULF_C', 'EAST_SEA_N'],
  ['EAST_SEA_N', 'EAST_SEA_C'], ['EAST_SEA_C', 'JP_SEA_C'], ['EAST_SEA_N', 'JP_SEA_C'], ['EAST_SEA_SW', 'JP_W2'],
  ['KOREA_STRAIT_E', 'JP_W1'], ['JP_W1', 'JP_W2'], ['JP_W2', 'SAKAI_APP'], ['SAKAI_APP', 'JP_W3'], ['JP_W2', 'JP_W3'],
  ['JP_W3', 'WAKASA'], ['MAIZURU_APP', 'WAKASA'], ['WAKASA', 'NOTO_W'], ['JP_W3', 'JP_SEA_C'], ['NOTO_W', 'NOTO_N'],
  ['JP_SEA_C', 'NOTO_N'], ['NOTO_N', 'TOYAMA_BAY_N'], ['TOYAMA_BAY_N', 'TOYAMA_APP'], ['NOTO_N', 'SADO_S'],
  ['TOYAMA_BAY_N', 'SADO_S'], ['SADO_S', 'NIIGATA_APP'],
  ['KOREA_STRAIT_E', 'GENKAI'], ['KOREA_STRAIT_W', 'GENKAI'], ['GENKAI', 'HAKATA_APP'], ['GENKAI', 'HIBIKI'],
  ['KOREA_STRAIT_E', 'HIBIKI'], ['JP_W1', 'HIBIKI'], ['HIBIKI', 'KANMON_E'], ['KANMON_E', 'SUONADA'], ['SUONADA', 'IYONADA'],
  ['IYONADA', 'KURUSHIMA'], ['KURUSHIMA', 'HIUCHI'], ['HIUCHI', 'BISAN'], ['BISAN', 'HARIMA'], ['HARIMA', 'AKASHI'],
  ['AKASHI', 'OSAKA_BAY'], ['OSAKA_BAY', 'KITAN'], ['KITAN', 'KII_CH'], ['KII_CH', 'SHIONO'], ['SHIONO', 'ENSHU'],
  ['ENSHU', 'OMAEZAKI_S'], ['OMAEZAKI_S', 'IZU_S'], ['IZU_S', 'OSHIMA_W'], ['OSHIMA_W', 'SAGAMI_E'],
  ['SAGAMI_E', 'URAGA'], ['URAGA', 'YOKOHAMA_APP'],
  ['SH_RIVER', 'YANGTZE_APP'], ['YANGTZE_APP', 'ECS_N'], ['ECS_N', 'KOREA_SW'], ['ECS_N', 'JEJU_N'],
  ['YANGTZE_APP', 'ZHOUSHAN_E'], ['ECS_N', 'ZHOUSHAN_E'], ['NINGBO_APP', 'XIAZHIMEN'], ['XIAZHIMEN', 'ZHOUSHAN_E'],
];

/** The waypoints leading out of each port, nearest the harbour first; the last one joins the network. */
// prettier-ignore
const PORT_APPROACHES: Record<string, string[]> = {
  KPNAM: ['NAMPO_APP'], KPSGN: ['NAMPO_APP'], KPHAE: ['HAEJU_APP'], KPSII: ['SINUIJU_APP'], KPWON: ['WONSAN_APP'],
  KPHGM: ['HUNGNAM_APP'], KPSON: ['KIMCHAEK_APP'], KPCHO: ['CHONGJIN_APP'], KPRJN: ['RAJIN_APP'],
  CNDDG: ['DANDONG_APP'], CNDLC: ['DALIAN_BAY'], CNYNT: ['YANTAI_APP'], CNLKU: ['LONGKOU_APP'], CNTXG: ['BOHAI_W'],
  CNTAO: ['QD_APP'], CNLYG: ['LYG_APP'], CNSHA: ['SH_RIVER'], CNNGB: ['NINGBO_APP'],
  RUVVO: ['VVO_BOSPHORUS'], RUNJK: ['NAKHODKA_APP'], RUVYP: ['VOSTOCHNY_APP'], RUPSE: ['POSYET_APP'],
  RUZAR: ['ZARUBINO_APP'],
  KRPUS: ['BUSAN_APP'], KRINC: ['INCHEON_APP'], KRPTK: ['PTK_APP'], KRKAN: ['GWANGYANG_APP'], KRUSN: ['ULSAN_APP'],
  KRMOK: ['MOKPO_APP'], KRKPO: ['POHANG_APP'],
  JPKIJ: ['NIIGATA_APP'], JPSMN: ['SAKAI_APP'], JPMAI: ['MAIZURU_APP'], JPTOY: ['TOYAMA_APP'], JPUKB: ['OSAKA_BAY'],
  JPOSA: ['OSAKA_BAY'], JPYOK: ['YOKOHAMA_APP'], JPMOJ: ['KANMON_E'], JPHKT: ['HAKATA_APP'],
};

export const waypoints = (): Record<string, LonLat> => ({ ...NODES });
export const laneEdges = (): [string, string][] => EDGES.map(([a, b]) => [a, b]);

const ruler = new CheapRuler(37, 'kilometers');
const distance = (a: LonLat, b: LonLat): number => ruler.distance(a, b);

/**
 * Lanes between ports: the port's harbour path out to its approach waypoint, the shortest chain of waypoint
 * links (Dijkstra), and the other port's harbour path in. Every link carries the intermediate points it was
 * routed through (sea-lane-routes.ts).
 */
export class SeaLanes {
  private readonly adjacency = new Map<string, { to: string; km: number }[]>();
  private readonly cache = new Map<string, string[] | null>();
  private readonly byLocode: Map<string, PortDeclaredData>;

  constructor(ports: readonly PortDeclaredData[]) {
    this.byLocode = new Map(ports.map((p) => [p.locode, p]));
    for (const [a, b] of EDGES) {
      const km = pathKm([NODES[a], ...(LINK_VIAS[`${a}|${b}`] ?? []), NODES[b]]);
      this.link(a, b, km);
      this.link(b, a, km);
    }
  }

  /** Ports of the list that the network reaches. */
  routablePorts(): PortDeclaredData[] {
    return [...this.byLocode.values()].filter((p) => PORT_APPROACHES[p.locode] && HARBOUR_PATHS[p.locode]);
  }

  /** Where vessels berth: the water nearest the port's point. */
  harbour(locode: string): LonLat {
    const path = HARBOUR_PATHS[locode];
    if (!path) throw new RangeError(`no harbour known for ${locode}`);
    return [...path[0]] as LonLat;
  }

  /** Waypoint names from one port's approach to the other's, or null if unconnected. */
  waypointsBetween(from: string, to: string): string[] | null {
    const key = `${from}>${to}`;
    if (!this.cache.has(key)) this.cache.set(key, this.search(from, to));
    const hit = this.cache.get(key);
    return hit ? [...hit] : null;
  }

  /** The lane from one harbour to the other as points, or null if the network does not join them. */
  lane(from: string, to: string): LonLat[] | null {
    const names = this.waypointsBetween(from, to);
    if (!names) return null;
    const points: LonLat[] = [...HARBOUR_PATHS[from]];
    for (let i = 0; i < names.length; i++) {
      points.push(NODES[names[i]]);
      if (i + 1 < names.length) points.push(...via(names[i], names[i + 1]));
    }
    points.push(...[...HARBOUR_PATHS[to]].reverse());
    return points
      .map((p) => [p[0], p[1]] as LonLat)
      .filter((p, i, all) => i === 0 || !samePoint(all[i - 1], p));
  }

  private search(from: string, to: string): string[] | null {
    const out = PORT_APPROACHES[from];
    const back = PORT_APPROACHES[to];
    if (!out || !back || from === to) return null;
    const start = out[out.length - 1];
    const goal = back[back.length - 1];
    const dist = new Map<string, number>([[start, 0]]);
    const prev = new Map<string, string>();
    const open = new Set<string>([start]);
    while (open.size > 0) {
      let current = '';
      let best = Infinity;
      for (const n of open) {
        const d = dist.get(n) ?? Infinity;
        if (d < best || (d === best && n < current)) [current, best] = [n, d];
      }
      open.delete(current);
      if (current === goal) break;
      for (const { to: next, km } of this.adjacency.get(current) ?? []) {
        const candidate = best + km;
        if (candidate < (dist.get(next) ?? Infinity)) {
          dist.set(next, candidate);
          prev.set(next, current);
          open.add(next);
        }
      }
    }
    if (!dist.has(goal)) return null;
    const middle: string[] = [goal];
    while (middle[0] !== start) middle.unshift(prev.get(middle[0]) as string);
    return dedupe([...out.slice(0, -1), ...middle, ...[...back.slice(0, -1)].reverse()]);
  }

  private link(a: string, b: string, km: number): void {
    const list = this.adjacency.get(a) ?? [];
    list.push({ to: b, km });
    this.adjacency.set(a, list);
  }
}

function via(a: string, b: string): LonLat[] {
  const forward = LINK_VIAS[`${a}|${b}`];
  if (forward) return forward;
  const backward = LINK_VIAS[`${b}|${a}`];
  return backward ? [...backward].reverse() : [];
}

function pathKm(points: LonLat[]): number {
  let km = 0;
  for (let i = 1; i < points.length; i++) km += distance(points[i - 1], points[i]);
  return km;
}

const samePoint = (a: LonLat, b: LonLat): boolean => a[0] === b[0] && a[1] === b[1];
const dedupe = (names: string[]): string[] => names.filter((n, i) => i === 0 || names[i - 1] !== n);
