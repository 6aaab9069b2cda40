import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, Role } from '@aidwatch/access';

export const ALLOWED_ROLES = 'aidwatch:allowed-roles';
export const PUBLIC_ROUTE = 'aidwatch:public-route';

/**
 * How to protect an endpoint (every route needs one of these; a route with neither is refused with 403
 * and logged, so a forgotten one fails closed):
 *
 * ```ts
 * @Controller('things')
 * @Allow('dashboard', 'operator')          // roles that may call every route of the controller
 * export class ThingsController {
 *   @Get(':id')
 *   get(@Param('id') id: string, @CurrentPrincipal() who: Principal) {
 *     const scope = tenantScopeOf(who);      // then filter: seesConsignment(scope, id, tenantOf) …
 *   }
 *   @Post() @Allow('operator')                // a method-level @Allow replaces the controller's
 *   create() {}
 * }
 * ```
 * The guard answers 401 without a valid credential and 403 for a role not listed; reads must still be
 * narrowed to the caller's tenants with the helpers of `@aidwatch/access` (`tenantScopeOf`, `seesFlag`,
 * `seesConsignment`) or refused (cross-tenant reads are 403 or filtered, never served).
 */
export const Allow = (...roles: Role[]) => SetMetadata(ALLOWED_ROLES, roles);

/** A route anyone may call without a credential (only `GET /health`). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The request's authenticated principal (set by the access guard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  principalOf(ctx.switchToHttp().getRequest<Request>()),
);

/** The principal the access guard attached to a request; throws when the route was public. */
export function principalOf(req: Request): Principal {
  const principal = (req as Request & { principal?: Principal }).principal;
  if (!principal) throw new Error('no principal on this request: is the route @Public()?');
  return principal;
}
