import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryApiKeyStore, SqliteApiKeyStore } from './api-key-store';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';
import { AuthenticationError } from './principal';

describe('Authenticator', () => {
  it('accepts an issued API key and answers its grant; refuses a wrong secret, an unknown id and a revoked key', async () => {
    const keys = new InMemoryApiKeyStore();
    const auth = new Authenticator(keys);
    const { record, key } = keys.create({ role: 'producer', tenant: 'WFP', sources: ['/wfp/logistics'] });
    await expect(auth.authenticate(`Bearer ${key}`)).resolves.toEqual({
      subject: `key:${record.id}`,
      role: 'producer',
      tenant: 'WFP',
      sources: ['/wfp/logistics'],
    });
    const tampered = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    await expect(auth.authenticate(`Bearer ${tampered}`)).rejects.toThrow('unknown credential');
    await expect(auth.authenticate(`Bearer awk_${'0'.repeat(16)}_${'0'.repeat(64)}`)).rejects.toThrow(
      'unknown credential',
    );
    keys.revoke(record.id);
    await expect(auth.authenticate(`Bearer ${key}`)).rejects.toThrow('credential revoked');
  });

  it('refuses a missing or malformed Authorization header', async () => {
    const auth = new Authenticator(new InMemoryApiKeyStore());
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer a b']) {
      await expect(auth.authenticate(header)).rejects.toBeInstanceOf(AuthenticationError);
    }
  });

  it('never stores the secret: the key file holds only a salted hash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-keys-'));
    const file = path.join(dir, 'access.sqlite');
    const keys = new SqliteApiKeyStore(file);
    const { key } = keys.create({ role: 'admin' });
    keys.close();
    const secret = key.split('_')[2];
    expect(fs.readFileSync(file).includes(secret)).toBe(false);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const reopened = new SqliteApiKeyStore(file);
    expect(reopened.list()).toHaveLength(1);
    reopened.close();
  });

  describe('JWTs of an identity provider', () => {
    let jwksFile: string;
    let privateKey: KeyLike;
    beforeAll(async () => {
      const pair = await generateKeyPair('ES256');
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
      jwksFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aidwatch-jwks-')), 'jwks.json');
      fs.writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    });
    const sign = (
      claims: Record<string, unknown>,
      options: { iss?: string; aud?: string; exp?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(options.iss ?? 'https://idp.wfp.example')
        .setAudience(options.aud ?? 'aidwatch')
        .setSubject('alice')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m')
        .sign(privateKey);

    it('maps the aidwatch_* claims of a valid token to a principal', async () => {
      const auth = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({ jwksFile, issuer: 'https://idp.wfp.example', audience: 'aidwatch' }),
      );
      const token = await sign({ aidwatch_role: 'dashboard', aidwatch_tenant: 'WFP' });
      await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({
        subject: 'jwt:https://idp.wfp.example#alice',
        role: 'dashboard',
        tenant: 'WFP',
      });
    });

    it('refuses another issuer, another audience, an expired token, an unknown role and an unsigned token', async () => {
      const auth = new Authenticator(
        new InMemoryApiKeyStore(),
        new JwtVerifier({
          jwksFile,
          issuer: 'https://idp.wfp.example',
          audience: 'aidwatch',
          clockToleranceSec: 0,
        }),
      );
      const bad = [
        await sign({ aidwatch_role: 'dashboard' }, { iss: 'https://evil.example' }),
        await sign({ aidwatch_role: 'dashboard' }, { aud: 'other' }),
        await sign({ aidwatch_role: 'dashboard' }, { exp: '-1m' }),
        await sign({ aidwatch_role: 'root' }),
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"aidwatch_role":"admin"}').toString('base64url')}.`,
      ];
      for (const token of bad) {
        await expect(auth.authenticate(`Bearer ${token}`)).rejects.toBeInstanceOf(AuthenticationError);
      }
    });
  });
});
