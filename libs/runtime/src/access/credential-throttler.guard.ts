import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Principal } from '@aidwatch/access';

/**
 * Rate limits per credential (`RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW_SEC`), after the access guard
 * has named the caller; requests without a credential (only `GET /health`) count per address. Over the
 * limit: 429 with `Retry-After`.
 */
@Injectable()
export class CredentialThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const principal = req.principal as Principal | undefined;
    return principal ? principal.subject : `ip:${String(req.ip)}`;
  }
}
