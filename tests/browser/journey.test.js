// Casus's web interface in Debian's Chromium, against a served Casus
// (`.ci/browser` starts one and passes CASUS_URL). Every page the journey
// visits is checked with axe against WCAG 2.1 A and AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const base = process.env.CASUS_URL;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = new URL('./screenshots/', import.meta.url).pathname;

assert.ok(base, 'CASUS_URL names the Casus to test (run .ci/browser)');

let browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--lang=nl-NL'],
    env: { ...process.env, LANG: 'nl_NL.UTF-8', LANGUAGE: 'nl' },
  });
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

/** Opens the form `title` (its summary, when closed), lets `fill` fill it in, and sends it. */
async function step(page, title, fill = async () => {}) {
  const details = page.locator('details').filter({
    has: page.locator('summary', { hasText: new RegExp(`^${title}$`) }),
  });
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  const form = page.getByRole('form', { name: title });
  await fill(form);
  await form.getByRole('button', { name: title }).click();
  await page.waitForURL(/\/casussen\/[0-9a-f-]+\?versie=\d+$/);
}

/** Refers a young person and takes the case to a running intervention, in the browser. */
async function caseUnderWay(page, name, check = async () => {}) {
  await page.getByRole('link', { name: 'Nieuwe aanmelding' }).click();
  await page.waitForURL(`${base}/aanmelden`);
  await check(page, 'referral form');
  await page.getByLabel('Naam').fill(name);
  await page.getByLabel('Geboortedatum').fill('2011-03-14');
  await page.getByLabel('Focusgebied').selectOption('rotterdam-zuid');
  await page.getByLabel('Aangemeld door').fill('politie-rotterdam');
  await page.getByLabel('Reden van aanmelding').fill('overlast bij het metrostation');
  await page.getByLabel('Doel', { exact: true }).fill('terug naar school');
  await page.getByRole('button', { name: 'Aanmelden' }).click();
  // Against a Casus that knows this young person already (a second run),
  // the known-person check names the open case first: refer all the same.
  const known = page.getByText('Deze jongere heeft al een lopende casus in uw gemeente');
  const opened = /\/casussen\/[0-9a-f-]+\?versie=1$/;
  await Promise.race([page.waitForURL(opened), known.waitFor()]);
  if (await known.isVisible()) {
    await check(page, 'known-person check');
    await page.getByLabel('Ik heb de lopende casus gezien en meld toch aan').check();
    await page.getByRole('button', { name: 'Aanmelden' }).click();
  }
  await page.waitForURL(opened);
  const id = new URL(page.url()).pathname.split('/').pop();
  await check(page, 'a new case');

  await step(page, 'Triagebesluit', async (form) => {
    await form.getByLabel('Besluit', { exact: true }).selectOption('take_on');
    await form.getByLabel('Besloten door', { exact: true }).fill('triageoverleg Zuid');
  });
  await step(page, 'Casus opnemen');
  await step(page, 'Casusregie nemen');
  await check(page, 'a case to plan');
  await step(page, 'Plan van aanpak afspreken', async (form) => {
    await form.getByLabel('Doel', { exact: true }).fill('gaat 90% van de tijd naar school');
    await form.getByLabel('Streefdatum', { exact: true }).fill('2027-06-01');
    await form.getByLabel('De jongere', { exact: true }).check();
    await form.getByLabel('Ouder of verzorger', { exact: true }).check();
  });
  await step(page, 'Ketenpartner betrekken', async (form) => {
    await form.getByLabel('Ketenpartner', { exact: true }).fill('halt-rotterdam');
    await form.getByLabel('Domein van de ketenpartner', { exact: true }).selectOption('justice');
    await form.getByLabel(/Wettelijke taak/).fill('Wetboek van Strafrecht art. 77e');
  });
  await step(page, 'Interventie plannen', async (form) => {
    await form.getByLabel('Soort interventie', { exact: true }).selectOption('mentoring');
    await form.getByLabel('Aanbieder', { exact: true }).fill('jongerenwerk-zuid');
    await form.getByLabel('Domein van de interventie', { exact: true }).selectOption('social');
  });
  await step(page, 'Interventie starten', async (form) => {
    await form.getByLabel('Interventie', { exact: true }).selectOption({ label: 'Mentortraject bij jongerenwerk-zuid' });
  });
  assert.match(await page.locator('main').innerText(), /Mentortraject bij jongerenwerk-zuid \(loopt\)/);
  return id;
}

test('a worker logs a home visit in the browser; Halt sees it without its summary; another municipality sees nothing', async () => {
  const sanne = await newPage();
  await sanne.goto(`${base}/inloggen`);
  await accessible(sanne, 'login');
  await sanne.screenshot({ path: `${shots}inloggen.png`, fullPage: true });
  await logIn(sanne, 'Sanne de Vries');
  assert.equal(await sanne.title(), 'Mijn casussen – Casus');
  const id = await caseUnderWay(sanne, 'Jayden Bakker', accessible);

  // The case in the list, reached as a worker would.
  await sanne.goto(`${base}/casussen?fase=active`);
  await accessible(sanne, 'case list');
  await sanne.screenshot({ path: `${shots}casussen.png`, fullPage: true });
  // Found by name and date of birth.
  await sanne.getByText('Zoek een jongere').click();
  const search = sanne.getByRole('form', { name: 'Zoek een jongere' });
  await search.getByLabel('Naam', { exact: true }).fill('jayden bakker');
  await search.getByLabel('Geboortedatum', { exact: true }).fill('14-03-2011');
  await search.getByRole('button', { name: 'Zoeken' }).click();
  await sanne.getByText('Gevonden casussen').waitFor();
  await accessible(sanne, 'search results');
  await sanne.locator(`a[href="/casussen/${id}"]`).click();
  await sanne.waitForURL(`${base}/casussen/${id}`);
  assert.equal(await sanne.title(), 'Casusoverzicht – Casus', 'no name in the title');
  await accessible(sanne, 'case page');

  // A refused form keeps what was typed and says what to change, by the field.
  let contact = sanne.getByRole('form', { name: 'Contact vastleggen' });
  await contact.getByLabel('Verslag', { exact: true }).fill('moeder maakt zich zorgen om de oudere broer');
  await contact.getByRole('button', { name: 'Contact vastleggen' }).click();
  const summary = sanne.getByRole('alert');
  await summary.getByText('Dit is niet vastgelegd').waitFor();
  assert.match(await summary.innerText(), /Kies de soort contact/);
  assert.match(await summary.innerText(), /Kies met wie er contact was/);
  contact = sanne.getByRole('form', { name: 'Contact vastleggen' });
  assert.equal(await contact.getByLabel('Soort contact').getAttribute('aria-invalid'), 'true');
  assert.equal(await contact.getByLabel('Verslag', { exact: true }).inputValue(), 'moeder maakt zich zorgen om de oudere broer');
  await accessible(sanne, 'case page with errors');
  await sanne.screenshot({ path: `${shots}casus-fouten.png`, fullPage: true });

  // The home visit, with the keyboard alone.
  await contact.getByLabel('Soort contact').focus();
  await sanne.keyboard.press('h');   // "Huisbezoek"
  await sanne.keyboard.press('Tab');
  await sanne.keyboard.press('Space'); // Jongere
  await sanne.keyboard.press('Tab');
  await sanne.keyboard.press('Space'); // Ouder of verzorger
  // The date field shows today and the summary was kept from the refused
  // form: on to the button with Tab (the date field has a stop per part).
  const focused = () => sanne.evaluate(() => document.activeElement.textContent);
  for (let presses = 0; presses < 20 && (await focused()) !== 'Contact vastleggen'; presses++) {
    await sanne.keyboard.press('Tab');
  }
  assert.equal(await focused(), 'Contact vastleggen');
  await sanne.keyboard.press('Enter');
  await sanne.waitForURL(new RegExp(`/casussen/${id}\\?versie=\\d+$`));
  const timeline = sanne.locator('.casus-timeline li').first();
  const today = new Intl.DateTimeFormat('nl-NL', {
    day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Amsterdam',
  }).format(new Date());
  assert.match(await timeline.innerText(), new RegExp(`^${today} · Sanne de Vries`));
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
  await halt.screenshot({ path: `${shots}casus-halt.png`, fullPage: true });

  // A worker of Amsterdam: a 404 page, nothing of the case.
  const amsterdam = await newPage();
  await logIn(amsterdam, 'Daan Jansen');
  const answer = await amsterdam.goto(`${base}/casussen/${id}`);
  assert.equal(answer.status(), 404);
  const shown = await amsterdam.locator('main').innerText();
  assert.doesNotMatch(shown, /Jayden|Bakker|metrostation/);
  await accessible(amsterdam, 'not found');
  await amsterdam.screenshot({ path: `${shots}niet-gevonden.png`, fullPage: true });
});

test('a form another site posts is refused with 403 and changes nothing', async () => {
  const page = await newPage();
  await logIn(page, 'Sanne de Vries');
  const id = await caseUnderWay(page, 'Noah de Jong');
  await page.goto(`${base}/casussen/${id}`);
  const before = await page.locator('.casus-timeline li').count();
  const csrf = await page.locator('input[name=_csrf]').first().inputValue();

  // A page of another origin (another port: the session cookie goes
  // along) posts the form, even with the right form token.
  const html = `<!DOCTYPE html><title>x</title><form method="post" action="${base}/casussen/${id}/contact">
      <input name="_csrf" value="${csrf}"><input name="contact-soort" value="phone">
      <input name="contact-met" value="youth"><input name="contact-datum" value="2026-11-01">
      <input name="contact-verslag" value="vervalst"></form>`;
  const server = createServer((_, res) => res.end(html));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const evil = await page.context().newPage();
  await evil.goto(`http://127.0.0.1:${server.address().port}/`);
  const [answer] = await Promise.all([
    evil.waitForResponse((r) => r.url().endsWith('/contact')),
    evil.evaluate(() => document.forms[0].submit()),
  ]);
  server.close();
  assert.equal(answer.status(), 403);

  // Without the form token, from the page itself: refused too.
  const forged = await page.request.post(`${base}/casussen/${id}/contact`, {
    form: { 'contact-soort': 'phone', 'contact-met': 'youth', 'contact-datum': '2026-11-01', 'contact-verslag': 'vervalst' },
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
