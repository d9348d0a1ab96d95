// A real OpenID provider for the browser tests: the certified `oidc-provider`
// with its development login pages (any password), one client (Casus) and
// the accounts below, whose userinfo carries Casus's claims.
// Usage: node oidc-provider.mjs PORT CASUS_URL
import Provider from 'oidc-provider';

const [port, casus] = process.argv.slice(2);
if (!port || !casus) throw new Error('usage: node oidc-provider.mjs PORT CASUS_URL');

const accounts = {
  'sanne.devries': {
    name: 'Sanne de Vries',
    org: 'gemeente-rotterdam',
    domain: 'social',
    roles: ['case_worker', 'case_lead'],
    municipality: 'GM0599',
    team: 'rotterdam-zuid-1',
  },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'casus',
    client_secret: 'casus-test-secret',
    redirect_uris: [`${casus}/inloggen/oidc`],
    post_logout_redirect_uris: [`${casus}/inloggen`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'casus'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    casus: ['org', 'domain', 'roles', 'municipality', 'team'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(_, id) {
    const account = accounts[id];
    return account && { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`provider on ${port}`));
