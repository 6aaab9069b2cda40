/**
 * The roles of the contract's "Access" section. A role says what a credential may do; a tenant (an
 * implementing organisation) says whose data it may see.
 * - `producer`: posts events, only under the CloudEvents `source` values it is bound to.
 * - `monitor`: submits verifications and field submissions as its `monitorId`; reads its organisation's consignments.
 * - `dashboard`: reads the flags, consignments and alerts of its tenant.
 * - `operator`: reads every tenant's data and streams; audit, export, rebuild, replay.
 * - `admin`: manages credentials and tenants.
 */
export const Roles = ['producer', 'monitor', 'dashboard', 'operator', 'admin'] as const;
export type Role = (typeof Roles)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (Roles as readonly string[]).includes(value);
}

/** Roles whose credentials must name a tenant: their reads (and a monitor's writes) are scoped to it. */
export const TenantBoundRoles: readonly Role[] = ['monitor', 'dashboard'];

/** Roles that see every tenant's data. */
export const AllTenantRoles: readonly Role[] = ['operator', 'admin'];
