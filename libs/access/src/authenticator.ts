import { looksLikeApiKey, parseApiKey, secretMatches } from './api-key';
import type { ApiKeyStore } from './api-key-store';
import type { JwtVerifier } from './jwt-verifier';
import { AuthenticationError, type Principal } from './principal';
import { TenantBoundRoles } from './roles';

/**
 * Turns the `Authorization` header into a principal: `Bearer awk_…` is an API key, any other bearer
 * token a JWT of the configured identity provider. Rejects with AuthenticationError (→ 401).
 */
export class Authenticator {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly jwt?: JwtVerifier,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('credential required: Authorization: Bearer <token>');
    const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(authorization);
    if (!match) throw new AuthenticationError('Authorization must be "Bearer <token>"');
    const token = match[1];
    if (looksLikeApiKey(token)) return this.apiKey(token);
    if (!this.jwt) throw new AuthenticationError('unknown credential');
    return this.jwt.verify(token);
  }

  private async apiKey(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    const stored = parsed && (await this.keys.find(parsed.id));
    if (!parsed || !stored || !secretMatches(parsed.secret, stored.salt, stored.hash)) {
      throw new AuthenticationError('unknown credential');
    }
    if (stored.revokedAt) throw new AuthenticationError('credential revoked');
    // Keys issued before these rules: a tenant-bound key without its tenant, a monitor key without its
    // monitorId, would read or write as anyone of (or beyond) its organisation.
    if (TenantBoundRoles.includes(stored.role) && !stored.tenant)
      throw new AuthenticationError(`a ${stored.role} key needs a tenant; issue a new key`);
    if (stored.role === 'monitor' && !stored.monitorId)
      throw new AuthenticationError('a monitor key needs a monitorId; issue a new key');
    return {
      subject: `key:${stored.id}`,
      role: stored.role,
      ...(stored.tenant ? { tenant: stored.tenant } : {}),
      ...(stored.sources ? { sources: stored.sources } : {}),
      ...(stored.monitorId ? { monitorId: stored.monitorId } : {}),
    };
  }
}
