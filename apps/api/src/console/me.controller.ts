import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import { monitorSourceNamespace, type ApiKeyStore } from '@aidwatch/access';
import { Allow, API_KEY_STORE, ApiJsonResponse, ApiSummary } from '@aidwatch/runtime';
import { MeSchema } from '../shared/api-schemas';
import { callerOf } from '../caller/principal';

/**
 * Who the caller is, as the console shows it: `GET /me` → {subject, role, tenant?, label?, monitorId?,
 * sources?}. `tenant` is given for every credential that names one (a producer's too); `sources` are the
 * CloudEvents sources a producer or a monitor may write under (a monitor without sources of its own: its
 * organisation's namespace, `/aidwatch/monitors/<organisation>` and below).
 * `label` is the key's label (`POST /admin/keys` {label}) or, for a token of an identity provider, its
 * subject. Never a secret: no key, hash or token.
 */
@Controller('me')
@Allow('producer', 'monitor', 'dashboard', 'operator', 'admin')
export class MeController {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  @Get()
  @ApiSummary('The signed-in credential: role, tenant and label (no secret)')
  @ApiJsonResponse(200, MeSchema, 'who is calling')
  async me(@Req() req: Request) {
    const caller = callerOf(req);
    const { principal } = caller;
    const tenant = caller.tenant ?? principal.tenant;
    const key = caller.id.startsWith('key:')
      ? await this.keys.find(caller.id.slice('key:'.length))
      : undefined;
    const label = key ? key.label : caller.id.startsWith('jwt:') ? caller.id.split('#').pop() : undefined;
    return {
      subject: caller.id,
      role: caller.role,
      ...(tenant !== undefined ? { tenant } : {}),
      ...(label ? { label } : {}),
      ...(key?.monitorId ? { monitorId: key.monitorId } : {}),
      ...(principal.role === 'producer' && principal.sources ? { sources: [...principal.sources] } : {}),
      // A monitor writes under its credential's sources, or else its organisation's monitor namespace.
      ...(principal.role === 'monitor' && tenant !== undefined
        ? { sources: principal.sources?.length ? [...principal.sources] : monitorSourceNamespace(tenant) }
        : {}),
    };
  }
}
