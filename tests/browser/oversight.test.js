// The pages of those who oversee the work, in Debian's Chromium against the
// demo Casus that `.ci/browser` serves and seeds (`casus seed`). Every page
// is checked with axe against WCAG 2.1 A and AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const base = process.env.CASUS_URL;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = new URL('./screenshots/', import.meta.url).pathname;

assert.ok(base, 'CASUS_URL names the Casus to test (run .ci/browser)');

let browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--lang=nl-NL'] });
});
after(async () => browser?.close());

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

async function logIn(page, name, home) {
  await page.goto(`${base}/inloggen`);
  await page.getByRole('button', { name }).click();
  await page.waitForURL(`${base}${home}`);
}

/** An auditor's or privacy officer's reason for the session. */
async function stateReason(page, reason) {
  await page.getByRole('textbox', { name: 'Reden van het onderzoek' }).fill(reason);
  await page.getByRole('button', { name: 'Reden vastleggen' }).click();
}

/** The number in the roster's column `column` for `worker`. */
async function rosterCell(page, worker, column) {
  const row = page.locator('table').first().locator('tr', { has: page.getByRole('rowheader', { name: worker }) });
  return Number(await row.locator('td').nth(column).innerText());
}

test('a supervisor moves every open case of a worker to a colleague and sees the dashboard change', async () => {
  const boss = await newPage();
  await logIn(boss, 'Teamleider Zuid', '/team');
  await accessible(boss, 'team dashboard');
  await boss.screenshot({ path: `${shots}team.png`, fullPage: true });
  // Each figure links to the cases it counts.
  await boss.getByRole('link', { name: /Open casussen$/ }).first().click();
  await boss.getByRole('heading', { name: 'Open casussen', level: 2 }).waitFor();
  await accessible(boss, 'team list');

  const form = boss.getByRole('form', { name: 'Casussen overdragen' });
  const from = form.getByLabel('Van', { exact: true });
  const fromName = (await from.locator('option').nth(1).innerText()).trim();
  await from.selectOption({ index: 1 });
  const to = form.getByLabel('Naar', { exact: true });
  const names = (await to.locator('option').allInnerTexts()).map((n) => n.trim());
  const toName = names.slice(1).find((n) => n !== fromName);
  await to.selectOption({ label: toName });
  const before = await rosterCell(boss, toName, 0);
  const moving = await rosterCell(boss, fromName, 0);
  assert.ok(moving > 0, `${fromName} has open cases`);
  await form.getByLabel('Reden', { exact: true }).fill('vertrekt uit het team');
  await form.getByRole('button', { name: 'Verder' }).click();
  await boss.getByRole('heading', { name: 'Casussen overdragen', level: 1 }).waitFor();
  await accessible(boss, 'reassignment confirmation');
  const confirm = boss.getByRole('button', { name: /^Ja, draag \d+ casus/ });
  const count = Number((await confirm.innerText()).match(/\d+/)[0]);
  await confirm.click();
  await boss.waitForURL(/\/team\?verplaatst=\d+/);
  await boss.getByRole('status').filter({ hasText: 'overgedragen' }).waitFor();
  assert.equal(await rosterCell(boss, toName, 0), before + count);
  assert.equal(await rosterCell(boss, fromName, 0), moving - count);
});

test('an auditor states a reason, steps through a case history and finds their own reads in the access log', async () => {
  const auditor = await newPage();
  await logIn(auditor, 'Auditor Rotterdam', '/controle');
  await accessible(auditor, 'audit reason');
  await stateReason(auditor, 'onderzoek 2026-17');
  // A case of the municipality, from its list.
  await auditor.goto(`${base}/casussen`);
  const caseLink = auditor.locator('table a[href^="/casussen/"]').first();
  const id = (await caseLink.getAttribute('href')).split('/').pop();
  await auditor.goto(`${base}/controle`);
  await auditor.getByLabel('Casusnummer').fill(id);
  await auditor.getByRole('button', { name: 'Geschiedenis openen' }).click();
  await auditor.getByText(/Versie \d+ van \d+/).waitFor();
  await accessible(auditor, 'history');
  await auditor.getByRole('link', { name: '1', exact: true }).click();
  await auditor.getByRole('heading', { name: /Gebeurtenis 1: Aanmelding/ }).waitFor();
  await auditor.getByRole('link', { name: 'Volgende versie →' }).click();
  await auditor.getByRole('heading', { name: /^Gebeurtenis 2:/ }).waitFor();
  assert.ok(await auditor.locator('tr.casus-diff').count() > 0, 'what the event changed is marked');
  await auditor.screenshot({ path: `${shots}geschiedenis.png`, fullPage: true });

  await auditor.getByRole('link', { name: 'Toegangslog' }).first().click();
  await auditor.getByLabel('Casusnummer').fill(id);
  await auditor.getByLabel('Gebruiker (id)').fill('au-1');
  await auditor.getByRole('button', { name: 'Zoeken' }).click();
  await auditor.getByRole('cell', { name: 'history' }).first().waitFor();
  assert.match(await auditor.locator('main').innerText(), /onderzoek 2026-17/);
  await accessible(auditor, 'access log');
  const [download] = await Promise.all([
    auditor.waitForEvent('download'),
    auditor.getByRole('link', { name: 'Download als CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/);

  await auditor.goto(`${base}/controle/integriteit`);
  await accessible(auditor, 'integrity');
  // A file that is no receipt is said so (the whole log's verification is
  // tested over HTTP: in a debug build it takes long over the seeded log).
  await auditor.getByLabel('Ontvangstbewijs (JSON-bestand)').setInputFiles({
    name: 'bewijs.json', mimeType: 'application/json', buffer: Buffer.from('{"statement": 1}'),
  });
  await auditor.getByRole('button', { name: 'Toetsen' }).click();
  await auditor.getByRole('status').filter({ hasText: 'geen ontvangstbewijs' }).waitFor();
  await accessible(auditor, 'receipt check');
});

test('a privacy officer erases a young person and the worker then sees the case without personal data', async () => {
  const sanne = await newPage();
  await logIn(sanne, 'Sanne de Vries', '/casussen');
  const name = `Levi Wissel ${Date.now() % 100000}`;
  await sanne.getByRole('link', { name: 'Nieuwe aanmelding' }).click();
  await sanne.getByLabel('Naam').fill(name);
  await sanne.getByLabel('Geboortedatum').fill('2010-02-03');
  await sanne.getByLabel('Focusgebied').selectOption('rotterdam-zuid');
  await sanne.getByLabel('Aangemeld door').fill('politie-rotterdam');
  await sanne.getByLabel('Reden van aanmelding').fill('schoolverzuim');
  await sanne.getByLabel('Doel', { exact: true }).fill('terug naar school');
  await sanne.getByRole('button', { name: 'Aanmelden' }).click();
  await sanne.waitForURL(/\/casussen\/[0-9a-f-]+\?versie=1$/);
  const caseUrl = sanne.url().split('?')[0];

  const officer = await newPage();
  await logIn(officer, 'Privacyfunctionaris Rotterdam', '/privacy');
  await stateReason(officer, 'AVG-verzoek 2026-3');
  await officer.waitForURL(`${base}/privacy`);
  await accessible(officer, 'privacy search');
  const search = officer.getByRole('form', { name: 'Zoek een jongere' });
  await search.getByLabel('Naam', { exact: true }).fill(name);
  await search.getByLabel('Geboortedatum', { exact: true }).fill('03-02-2010');
  await search.getByRole('button', { name: 'Zoeken' }).click();
  await officer.getByRole('link', { name: 'Gegevens van deze jongere wissen…' }).click();
  await accessible(officer, 'erasure confirmation');
  assert.match(await officer.locator('main').innerText(), /Wat verdwijnt[\s\S]*Wat blijft/);
  await officer.getByLabel('Reden', { exact: true }).fill('verzoek van de jongere (AVG art. 17)');
  await officer.getByRole('button', { name: 'Definitief wissen' }).click();
  // Refused without the confirmation, in Dutch, next to the field.
  await officer.getByText('Bevestig dat u weet dat wissen niet terug te draaien is.').first().waitFor();
  await officer.getByLabel('Ik weet dat wissen niet terug te draaien is').check();
  await officer.getByRole('button', { name: 'Definitief wissen' }).click();
  await officer.getByText('De persoonsgegevens van deze jongere zijn gewist.').waitFor();
  await accessible(officer, 'erased');

  await sanne.goto(caseUrl);
  await sanne.getByRole('heading', { name: 'Gegevens gewist', level: 1 }).waitFor();
  assert.doesNotMatch(await sanne.locator('main').innerText(), new RegExp(name));

  await officer.goto(`${base}/privacy/bewaartermijnen?datum=2040-01-01`);
  await accessible(officer, 'retention report');
});

test("an analyst's chart marks a suppressed count as suppressed, never as a number", async () => {
  const analyst = await newPage();
  await logIn(analyst, 'Analist programma', '/cijfers');
  await analyst.getByLabel('Gemeente').selectOption({ label: 'Rotterdam' });
  await analyst.getByRole('button', { name: 'Tonen' }).click();
  await accessible(analyst, 'programme figures');
  await analyst.screenshot({ path: `${shots}cijfers.png`, fullPage: true });
  const suppressed = analyst.locator('td.casus-suppressed');
  assert.ok(await suppressed.count() > 0, 'the seeded months hold a small count');
  for (const cell of await suppressed.allInnerTexts()) assert.equal(cell.trim(), '< 5');
  // The chart draws the same cell as an outlined bar with the same words.
  assert.ok(await analyst.locator('svg text', { hasText: '< 5' }).count() > 0);
});

test('a case summary prints on A4 without forms', async () => {
  const sanne = await newPage();
  await logIn(sanne, 'Sanne de Vries', '/casussen');
  const first = sanne.locator('table a[href^="/casussen/"]').first();
  await first.click();
  await sanne.getByRole('link', { name: 'Afdrukken voor een casusoverleg' }).click();
  await sanne.getByText('Casusoverzicht voor een casusoverleg').waitFor();
  await accessible(sanne, 'print summary');
  assert.equal(await sanne.locator('main form').count(), 0);
  await sanne.emulateMedia({ media: 'print' });
  assert.equal(await sanne.locator('header.casus-header').isVisible(), false);
  const pdf = await sanne.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
});
