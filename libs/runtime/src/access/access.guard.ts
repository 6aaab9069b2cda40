import { HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthenticationError, Authenticator, type Principal, type Role } from '@aidwatch/access';
import type { Logger } from '@aidwatch/observability';
import { ApiError } from '../http/http-errors';
import { LOGGER } from '../tokens';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './access.decorators';

/**
 * Global guard: every route is closed unless marked `@Public()` or `@Allow(...roles)`. Answers 401
 * (with `WWW-Authenticate: Bearer`) without a valid credential, 403 when the role is not allowed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(req.header('authorization'));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="aidwatch"');
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'unauthenticated', [
        { field: 'Authorization', message: error.message },
      ]);
    }
    req.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (!allowed) {
      this.logger.error({ route: req.route?.path, method: req.method }, 'route has no access rule; refused');
      throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', [
        { field: 'role', message: 'no role may call this route' },
      ]);
    }
    if (!allowed.includes(principal.role)) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'forbidden', [
        {
          field: 'role',
          message: `role ${principal.role} may not call this route (allowed: ${allowed.join(', ')})`,
        },
      ]);
    }
    return true;
  }
}
