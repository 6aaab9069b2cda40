import { flagOrganisations } from '@aidwatch/domain';
import type { Principal } from './principal';
import { AllTenantRoles } from './roles';

/**
 * Whose data a principal may read. A tenant is an implementing organisation; a consignment belongs to
 * the organisation of its exemption; a flag belongs to the tenants of its `consignmentIds` (so a vessel
 * flag is visible to every tenant whose aid is on board). `operator` and `admin` see every tenant; a
 * `monitor` or `dashboard` sees its own; any other principal sees none.
 */
export type TenantScope = { kind: 'all' } | { kind: 'tenant'; tenant: string } | { kind: 'none' };

export function tenantScopeOf(principal: Principal): TenantScope {
  if (AllTenantRoles.includes(principal.role)) return { kind: 'all' };
  if ((principal.role === 'dashboard' || principal.role === 'monitor') && principal.tenant)
    return { kind: 'tenant', tenant: principal.tenant };
  return { kind: 'none' };
}

/** Looks up the tenant (implementing organisation) of a consignment; undefined when unknown. */
export type TenantOfConsignment = (consignmentId: string) => string | undefined;

export function seesTenant(scope: TenantScope, tenant: string | undefined): boolean {
  if (scope.kind === 'all') return true;
  return scope.kind === 'tenant' && tenant !== undefined && tenant === scope.tenant;
}

export function seesConsignment(
  scope: TenantScope,
  consignmentId: string,
  tenantOf: TenantOfConsignment,
): boolean {
  if (scope.kind === 'all') return true;
  return seesTenant(scope, tenantOf(consignmentId));
}

/** A consignment's place among first registrations in store order (see `flagOrganisations`). */
export type RegistrationOrderOf = (consignmentId: string) => number | undefined;

/**
 * A flag (or flag-cleared event) is visible to the organisations `flagOrganisations` names: those of the
 * consignments it concerns, except that a flag about a document cited by several organisations'
 * consignments is visible only to the first citer's (by `registrationOrderOf`; without it, to none of
 * them), and — when the flag's `subject` is given — only the flag about the first citer's own consignment.
 * Operators see every flag.
 */
export function seesFlag(
  scope: TenantScope,
  flag: { rule?: string; consignmentIds?: readonly string[]; subject?: { kind: string; id: string } },
  tenantOf: TenantOfConsignment,
  registrationOrderOf?: RegistrationOrderOf,
): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind !== 'tenant') return false;
  return flagOrganisations(flag, (id) => ({
    organisation: tenantOf(id),
    registered: registrationOrderOf?.(id),
  })).includes(scope.tenant);
}
