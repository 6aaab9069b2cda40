import { HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthenticationError, Authenticator, type Principal, type Role } from '@aidwatch/access';
import type { Logger } from '@aidwatch/observability';
import { ApiError } from '../http/http-errors';
import { LOGGER } from '../tokens';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './access.decorators';
import { FailedCredentialLimiter } from './failed-credential-limiter';

/**
 * Global guard: every route is closed unless marked `@Public()` or `@Allow(...roles)`. Answers 401
 * (with `WWW-Authenticate: Bearer`) without a valid credential, 403 when the role is not allowed, and
 * 429 (with `Retry-After`) to a refused credential from an address that presented too many already
 * (FailedCredentialLimiter); a valid credential is never refused by that limit.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly failures: FailedCredentialLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    const authorization = req.header('authorization');
    const address = `ip:${String(req.ip)}`;
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(authorization);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      // Only refused credentials are limited: a valid one from the same address (organisations behind one
      // NAT or proxy, a field tool's server) is never held back by someone else's failures.
      if (authorization) {
        const waitMs = await this.failures.blockedForMs(address);
        if (waitMs > 0) {
          res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
          throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, 'too many refused credentials from this address', [
            { field: 'Authorization', message: `try again in ${Math.ceil(waitMs / 1000)} s` },
          ]);
        }
        await this.failures.failed(address);
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="aidwatch"');
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
