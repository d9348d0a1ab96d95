// Casus's web interface in Debian's Chromium, against a served Casus
// (`.ci/browser` starts one and passes CASUS_URL, and CASUS_TOKEN_SANNE for
// the API steps the interface does not offer yet). Every page the journey
// visits is checked with axe against WCAG 2.1 A and AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const base = process.env.CASUS_URL;
const sanneToken = process.env.CASUS_TOKEN_SANNE;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = new URL('./screenshots/', import.meta.url).pathname;

assert.ok(base, 'CASUS_URL names the Casus to test (run .ci/browser)');
assert.ok(sanneToken, 'CASUS_TOKEN_SANNE is a token for the API steps');

let browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--lang=nl-NL'] });
});
after(async () => browser?.close());

/** A fresh browser context, in Dutch, in Amsterdam. */
async function newPage() {
  const context = await browser.newContext({
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
    viewport: { width: 1280, height: 900 },
  });
  return context.newPage();
}

async function accessible(page, what) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}x)`);
  assert.deepEqual(found, [], `${what}: accessibility violations`);
}

async function logIn(page, name) {
  await page.goto(`${base}/inloggen`);
  await page.getByRole('button', { name }).click();
  await page.waitForURL(`${base}/casussen`);
}

/** The API: what the interface does not offer yet. */
async function api(method, path, body) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${sanneToken}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const answer = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** A case of Sanne's team with a case lead, a plan and a running intervention. */
async function caseUnderWay(name) {
  const today = new Date().toISOString().slice(0, 10);
  const opened = await api('POST', '/cases', {
    subject: { name, date_of_birth: '2011-03-14' },
    focus_area: 'rotterdam-zuid',
    referred_by: 'politie-rotterdam',
    reason: 'overlast bij het metrostation',
    goal: 'terug naar school',
    referred_on: today,
  });
  const id = opened.case_id;
  await api('POST', `/cases/${id}/triage`, { decision: 'take_on', decided_by: 'triage Zuid', decided_on: today });
  await api('POST', `/cases/${id}/include`, { included_on: today });
  await api('POST', `/cases/${id}/leads`, {
    role: 'case_lead',
    lead: { id: 'w-sanne', name: 'Sanne de Vries', team: 'rotterdam-zuid-1' },
  });
  await api('POST', `/cases/${id}/partners`, {
    partner: 'halt-rotterdam',
    partner_domain: 'justice',
    basis: { basis: 'legal_task', provision: 'Wetboek van Strafrecht art. 77e' },
    involved_on: today,
  });
  await api('PUT', `/cases/${id}/plan`, {
    goals: [{ description: 'gaat 90% van de tijd naar school', target_date: '2027-06-01' }],
    agreed_with: { youth: true, parent_or_guardian: true },
    agreed_on: today,
  });
  const planned = await api('POST', `/cases/${id}/interventions`, {
    kind: 'mentoring', provider: 'jongerenwerk-zuid', domain: 'social', planned_on: today,
  });
  const last = await api('POST', `/cases/${id}/interventions/${planned.ids[0]}/start`, { started_on: today });
  return { id, version: last.version };
}

test('a worker logs a home visit in the browser; Halt sees it without its summary; another municipality sees nothing', async () => {
  const { id, version } = await caseUnderWay('Jayden Bakker');

  const sanne = await newPage();
  await sanne.goto(`${base}/inloggen`);
  await accessible(sanne, 'login');
  await sanne.screenshot({ path: `${shots}inloggen.png`, fullPage: true });
  await logIn(sanne, 'Sanne de Vries');
  assert.equal(await sanne.title(), 'Mijn casussen – Casus');

  // The case in the list, reached as a worker would.
  await sanne.goto(`${base}/casussen/${id}?versie=${version}`);
  await sanne.goto(`${base}/casussen?fase=active`);
  await accessible(sanne, 'case list');
  await sanne.screenshot({ path: `${shots}casussen.png`, fullPage: true });
  await sanne.getByRole('link', { name: 'Jayden Bakker' }).click();
  await sanne.waitForURL(`${base}/casussen/${id}`);
  assert.equal(await sanne.title(), 'Casusoverzicht – Casus', 'no name in the title');
  await accessible(sanne, 'case page');

  // A refused form keeps what was typed and says what to change, by the field.
  await sanne.getByLabel('Verslag').fill('moeder maakt zich zorgen om de oudere broer');
  await sanne.getByRole('button', { name: 'Contact vastleggen' }).click();
  const summary = sanne.getByRole('alert');
  await summary.getByText('Het contact is niet vastgelegd').waitFor();
  assert.equal(await sanne.getByLabel('Soort contact').getAttribute('aria-invalid'), 'true');
  assert.equal(await sanne.getByLabel('Verslag').inputValue(), 'moeder maakt zich zorgen om de oudere broer');
  await accessible(sanne, 'case page with errors');
  await sanne.screenshot({ path: `${shots}casus-fouten.png`, fullPage: true });

  // The home visit, with the keyboard alone.
  await sanne.getByLabel('Soort contact').focus();
  await sanne.keyboard.press('h');   // "Huisbezoek"
  await sanne.keyboard.press('Tab');
  await sanne.keyboard.press('Space'); // Jongere
  await sanne.keyboard.press('Tab');
  await sanne.keyboard.press('Space'); // Ouder of verzorger
  await sanne.getByLabel('Datum').focus();
  const [year, month, dayOfMonth] = new Date().toISOString().slice(0, 10).split('-');
  await sanne.keyboard.type(`${dayOfMonth}${month}${year}`);
  await sanne.getByLabel('Verslag').focus();
  await sanne.keyboard.press('Tab');
  await sanne.keyboard.press('Enter');
  await sanne.waitForURL(new RegExp(`/casussen/${id}\\?versie=\\d+#tijdlijn$`));
  const timeline = sanne.locator('.casus-timeline li').first();
  assert.match(await timeline.innerText(), /Contact/);
  assert.match(await timeline.innerText(), /moeder maakt zich zorgen om de oudere broer/);
  await sanne.screenshot({ path: `${shots}casus.png`, fullPage: true });

  // Halt (justice) sees the visit, not its summary.
  const halt = await newPage();
  await logIn(halt, 'Halt Rotterdam');
  await halt.goto(`${base}/casussen/${id}`);
  const seen = await halt.locator('main').innerText();
  assert.match(seen, /Contact/);
  assert.doesNotMatch(seen, /oudere broer/);
  await accessible(halt, 'case page for Halt');

  // A worker of Amsterdam: a 404 page, nothing of the case.
  const amsterdam = await newPage();
  await logIn(amsterdam, 'Daan Jansen');
  const answer = await amsterdam.goto(`${base}/casussen/${id}`);
  assert.equal(answer.status(), 404);
  const shown = await amsterdam.locator('main').innerText();
  assert.doesNotMatch(shown, /Jayden|Bakker|metrostation/);
  await accessible(amsterdam, 'not found');
});

test('a form another site posts is refused with 403 and changes nothing', async () => {
  const { id } = await caseUnderWay('Noah de Jong');
  const page = await newPage();
  await logIn(page, 'Sanne de Vries');
  await page.goto(`${base}/casussen/${id}`);
  const before = await page.locator('.casus-timeline li').count();
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();

  // A page of another origin (another port: the session cookie goes
  // along) posts the form, even with the right form token.
  const html = `<!DOCTYPE html><title>x</title><form method="post" action="${base}/casussen/${id}/contacten">
      <input name="_csrf" value="${csrf}"><input name="soort" value="phone">
      <input name="met" value="youth"><input name="datum" value="2026-11-01">
      <input name="verslag" value="vervalst"></form>`;
  const server = createServer((_, res) => res.end(html));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const evil = await page.context().newPage();
  await evil.goto(`http://127.0.0.1:${server.address().port}/`);
  const [answer] = await Promise.all([
    evil.waitForResponse((r) => r.url().endsWith('/contacten')),
    evil.evaluate(() => document.forms[0].submit()),
  ]);
  server.close();
  assert.equal(answer.status(), 403);

  // Without the form token, from the page itself: refused too.
  const forged = await page.request.post(`${base}/casussen/${id}/contacten`, {
    form: { soort: 'phone', met: 'youth', datum: '2026-11-01', verslag: 'vervalst' },
    headers: { origin: base },
  });
  assert.equal(forged.status(), 403);

  await page.reload();
  assert.equal(await page.locator('.casus-timeline li').count(), before);
  assert.doesNotMatch(await page.locator('main').innerText(), /vervalst/);
});

test('logout ends the session at Casus', async () => {
  const page = await newPage();
  await logIn(page, 'Sanne de Vries');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'casus_sessie');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Lax');
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await page.waitForURL(`${base}/inloggen`);

  // The old cookie opens nothing any more.
  const other = await browser.newContext();
  await other.addCookies([{ ...session, expires: -1 }]);
  const again = await other.newPage();
  await again.goto(`${base}/casussen`);
  assert.equal(again.url(), `${base}/inloggen`);
  await other.close();
});
