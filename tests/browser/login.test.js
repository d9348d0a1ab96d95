// Login at the identity provider: a Casus with CASUS_OIDC_* set
// (CASUS_OIDC_URL) and the OpenID provider `.ci/browser` starts with
// oidc-provider.mjs. The whole Authorization Code flow in Chromium: PKCE,
// state, nonce, the worker's claims, and logout at Casus and the provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const casus = process.env.CASUS_OIDC_URL;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
assert.ok(casus, 'CASUS_OIDC_URL names the Casus that logs in at the provider (run .ci/browser)');

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});
after(async () => browser?.close());

test('a worker logs in at the identity provider and out at both', async () => {
  const context = await browser.newContext({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
  const page = await context.newPage();
  await page.goto(`${casus}/inloggen`);
  assert.equal(await page.getByRole('button', { name: 'Sanne de Vries' }).count(), 0, 'no demo login');
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(axe.violations.map((v) => v.id), []);

  // To the provider, with PKCE, state and nonce.
  const [asked] = await Promise.all([
    page.waitForRequest((r) => new URL(r.url()).pathname === '/auth'),
    page.getByRole('link', { name: 'Inloggen bij uw organisatie' }).click(),
  ]);
  const params = new URL(asked.url()).searchParams;
  assert.equal(params.get('code_challenge_method'), 'S256');
  assert.ok(params.get('code_challenge') && params.get('state') && params.get('nonce'));
  await page.waitForURL(/\/interaction\//);
  await page.locator('input[name=login]').fill('sanne.devries');
  await page.locator('input[name=password]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${casus}/casussen`);
  assert.match(await page.locator('header').innerText(), /Sanne de Vries/);

  const session = (await context.cookies()).find((c) => c.name === 'casus_sessie');
  assert.ok(session?.httpOnly);

  await page.getByRole('button', { name: 'Uitloggen' }).click();
  // The provider asks to confirm its own logout, then sends the browser back.
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL(`${casus}/inloggen`);

  // The old session opens nothing; a new login asks the provider again.
  const other = await browser.newContext();
  await other.addCookies([{ ...session, expires: -1 }]);
  const again = await other.newPage();
  await again.goto(`${casus}/casussen`);
  assert.equal(again.url(), `${casus}/inloggen`);
  await other.close();
  await page.getByRole('link', { name: 'Inloggen bij uw organisatie' }).click();
  await page.waitForURL(/\/interaction\//);
  assert.ok(await page.locator('input[name=login]').isVisible(), 'the provider forgot the login');
  await context.close();
});

test('a login that did not start in this browser is refused', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const answer = await page.goto(`${casus}/inloggen/oidc?code=gestolen&state=niet-van-mij`);
  assert.equal(answer.status(), 403);
  await context.close();
});
