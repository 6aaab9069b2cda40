import CheapRuler from 'cheap-ruler';
import type { ExemptionSite } from '@aidwatch/domain';
import type { FlagDraft } from '../flag-draft';
import { consignmentFlag, type DiversionContext } from './diversion-context';
import { formatNumber, siteLabel } from './diversion-format';
import type { Fact } from './consignment-facts';

/**
 * Distance in km on the WGS84 ellipsoid, by cheap-ruler's local approximation around the site's latitude:
 * well under 0.1 % off within a few hundred km, which is all a site radius needs; farther away the figure
 * is only reported, never compared with a radius it could fall on either side of.
 */
export function distanceKm(site: { lat: number; lon: number }, lat: number, lon: number): number {
  return new CheapRuler(site.lat, 'kilometers').distance([site.lon, site.lat], [lon, lat]);
}

interface Nearest {
  site: ExemptionSite;
  km: number;
}

function nearest(sites: readonly ExemptionSite[], lat: number, lon: number): Nearest | undefined {
  let best: Nearest | undefined;
  for (const site of sites) {
    const km = distanceKm(site, lat, lon);
    if (!best || km < best.km) best = { site, km };
  }
  return best;
}

type Located = Fact & { lat: number; lon: number; siteId: string };

/**
 * A delivery or a verification visit recorded farther than its radius (plus `siteRadiusSlackKm`) from every
 * site the exemption declares. Held until the exemption is known.
 */
export function undeclaredLocation(ctx: DiversionContext): FlagDraft[] {
  const exemption = ctx.exemption;
  if (!exemption) return [];
  const sites = exemption.grant.sites;
  const slack = ctx.config.siteRadiusSlackKm;
  const drafts: FlagDraft[] = [];
  const judge = (fact: Located, key: string, what: string) => {
    if (sites.some((s) => distanceKm(s, fact.lat, fact.lon) <= s.radiusKm + slack)) return;
    const near = nearest(sites, fact.lat, fact.lon);
    const where = `${fact.lat.toFixed(4)}, ${fact.lon.toFixed(4)}`;
    drafts.push(
      consignmentFlag(ctx, {
        rule: 'undeclared-location',
        key,
        severity: ctx.config.undeclaredLocationSeverity,
        observed: {
          lat: fact.lat,
          lon: fact.lon,
          claimedSiteId: fact.siteId,
          nearestSiteId: near?.site.siteId ?? null,
          distanceKm: near ? Math.round(near.km * 1000) / 1000 : null,
        },
        threshold: {
          radiusKm: near?.site.radiusKm ?? null,
          slackKm: slack,
          declaredSites: sites.map((s) => s.siteId),
        },
        evidence: [fact],
        explanation: near
          ? `${what} for ${siteLabel(ctx, fact.siteId)} was recorded at ${where}, ${formatNumber(near.km)} km from ` +
            `the nearest declared site ${siteLabel(ctx, near.site.siteId)} (radius ${formatNumber(near.site.radiusKm)} km).`
          : `${what} for ${siteLabel(ctx, fact.siteId)} was recorded at ${where}, but exemption ` +
            `${exemption.exemptionId} declares no sites.`,
      }),
    );
  };
  for (const d of ctx.list('deliveries')) judge(d, `delivery:${d.deliveryId}`, `Delivery ${d.deliveryId}`);
  for (const v of ctx.list('verifications'))
    judge(v, `verification:${v.verificationId}`, `Verification visit ${v.verificationId}`);
  return drafts;
}
