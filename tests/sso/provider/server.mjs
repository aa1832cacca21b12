// A real OpenID provider for casegrid's SSO tests: oidc-provider (an OpenID-certified implementation)
// with its development sign-in pages (any login, any password), started once per test session by
// tests/sso/conftest.py. Configuration comes from the environment:
//   PORT                 port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
//   OIDC_CLIENTS         JSON list of clients (client_id, client_secret, redirect_uris, post_logout_redirect_uris)
//   OIDC_ACCOUNTS        JSON object: account id -> extra claims (preferred_username, name, department, roles)
// Accounts not listed sign in with their login as preferred_username and no other claims.
//
// One test-only hook, POST /__test/tamper {"mode": ...}: the next id_token the token endpoint issues is
// altered as a broken or hostile provider would send it (signed by another key, for another audience,
// expired, with another nonce or issuer), so that the tests can prove casegrid refuses each. The
// provider itself is not changed: everything else is what a district identity platform would do.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const kid = 'casegrid-test-key';
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomUUID()] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'department', 'roles', 'employee_no'],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...(accounts[id] || {}) };
      },
    };
  },
  // First-party application: the user is not asked to consent to casegrid reading their profile.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

let tamperMode = null;

async function tamper(idToken, mode) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey;
  if (mode === 'bad_signature') key = strangerKey;
  else if (mode === 'wrong_audience') claims.aud = 'some-other-application';
  else if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  else if (mode === 'wrong_nonce') claims.nonce = 'a-nonce-casegrid-never-sent';
  else if (mode === 'wrong_issuer') claims.iss = 'http://127.0.0.1:1/not-the-issuer';
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && tamperMode && ctx.body && ctx.body.id_token) {
    const mode = tamperMode;
    tamperMode = null;
    ctx.body = { ...ctx.body, id_token: await tamper(ctx.body.id_token, mode) };
  }
});

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/__test/tamper') {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      tamperMode = JSON.parse(body || '{}').mode || null;
      res.writeHead(204).end();
    });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
