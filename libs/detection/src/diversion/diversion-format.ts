import type { DiversionContext } from './diversion-context';
import { siteOf } from './exemption-facts';

// A fixed locale keeps explanations identical on every machine.
const numbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const percents = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export const formatNumber = (n: number): string => numbers.format(n);
export const formatPct = (n: number): string => `${percents.format(n)} %`;

/** `2024-03-11` */
export const formatDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** `2024-03-11 03:00 UTC` */
export const formatDateTime = (ms: number): string =>
  `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The unit of an item: the exemption line's, else the registration's. */
export function unitOf(ctx: DiversionContext, itemCode: string): string {
  return (
    ctx.exemption?.items.get(itemCode)?.unit ??
    ctx.registration?.items.find((i) => i.itemCode === itemCode)?.unit ??
    ''
  );
}

function plural(unit: string, n: number): string {
  // Words get a plural; symbols and abbreviations (kg, t, MT, l) do not.
  if (n === 1 || !/^[a-z]{3,}$/.test(unit) || unit.endsWith('s')) return unit;
  return /(x|ch|sh)$/.test(unit) ? `${unit}es` : `${unit}s`;
}

/** `8,400 kg`, `3,990 cartons` */
export function formatQuantity(ctx: DiversionContext, itemCode: string, n: number): string {
  const unit = unitOf(ctx, itemCode);
  return unit ? `${formatNumber(n)} ${plural(unit, n)}` : formatNumber(n);
}

/** `Sariwon Provincial Paediatric Hospital (KP-SHW-SARIWON-PH)`, or `site X-1` when the exemption does not name it. */
export function siteLabel(ctx: DiversionContext, siteId: string): string {
  const site = siteOf(ctx.exemption, siteId);
  return site ? `${site.name} (${siteId})` : `site ${siteId}`;
}

/** `Nampo`, or the UN/LOCODE when the port was not declared. */
export const portLabel = (ctx: DiversionContext, locode: string): string => ctx.portName(locode) ?? locode;

/** `a`, `a and b`, `a, b and c` */
export function listOf(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
}

export const shortHash = (hash: string): string => (hash.length > 16 ? `${hash.slice(0, 12)}…` : hash);
