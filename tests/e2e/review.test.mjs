// End-to-end tests of the review (steps 1 and 2): the scope bar with Services and time spans,
// include/exclude rows, general rules, unresolved IPs with class filters and aliases, and
// decisions that survive a reload and travel as an exported file.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { root, artifacts, cli, openApp, byTestId, demoDeployment, expect } from './harness.mjs';

const row = (page, direction, peer) =>
  page.locator(`[data-testid="comm-row"][data-direction="${direction}"][data-peer="${peer}"]`);

/** Loads the demo and scopes to Deployment shop/frontend. */
async function frontend(page) {
  await demoDeployment(page);
  await byTestId(page, 'tab-ingress').click();
}

/** The review's visible state: every row's peer, port and whether it is included. */
async function reviewState(page) {
  const rows = async () =>
    page.locator('[data-testid="comm-row"]').evaluateAll((rows) =>
      rows.map((r) => `${r.dataset.direction} ${r.dataset.peer} ${r.dataset.protocol}/${r.dataset.port} ${r.dataset.included}`),
    );
  await byTestId(page, 'tab-ingress').click();
  const ingress = await rows();
  const ingressRule = await byTestId(page, 'general-rule-ingress').inputValue();
  await byTestId(page, 'tab-egress').click();
  const egress = await rows();
  const egressRule = await byTestId(page, 'general-rule-egress').inputValue();
  await byTestId(page, 'tab-ingress').click();
  return { ingress, egress, ingressRule, egressRule };
}

test('a review: exclude a row, a general rule, an alias included; all restored after a reload', async () => {
  const { page, context, errors } = await openApp();
  await frontend(page);
  const prometheus = row(page, 'ingress', 'Deployment/monitoring/prometheus');
  await expect(prometheus).toHaveAttribute('data-included', 'true');
  await prometheus.getByTestId('include-toggle').uncheck();
  await expect(prometheus).toHaveAttribute('data-included', 'false');

  // Unresolved internet clients: external, excluded, their toggles disabled until aliased.
  const clients = page.locator('[data-testid="unresolved-row"][data-class="external"]');
  const count = await clients.count();
  assert.ok(count > 3, `${count} external clients`);
  const firstIp = await clients.first().getAttribute('data-ip');
  await expect(row(page, 'ingress', firstIp)).toHaveAttribute('data-included', 'false');
  assert.ok(await row(page, 'ingress', firstIp).getByTestId('include-toggle').isDisabled());
  // The class filter hides and shows them.
  await byTestId(page, 'ip-filter-external').uncheck();
  assert.equal(await clients.count(), 0);
  await byTestId(page, 'ip-filter-external').check();
  assert.equal(await clients.count(), count);

  // Map one to an alias: the form is prefilled with a /32 and validates.
  await clients.first().getByTestId('map-ip-button').click();
  await expect(byTestId(page, "alias-cidr")).toHaveValue(`${firstIp}/32`);
  await byTestId(page, 'alias-cidr').fill('0.0.0.0/99');
  await byTestId(page, 'alias-name').fill('internet');
  await byTestId(page, 'alias-save').click();
  await page.getByText('is not an address or a CIDR').waitFor();
  await byTestId(page, 'alias-cidr').fill('0.0.0.0/0');
  await byTestId(page, 'alias-save').click();
  // Every internet client is now the alias, included, and its rows are aliased.
  const aliased = row(page, 'ingress', 'internet');
  assert.ok((await aliased.count()) >= 1);
  await expect(aliased.first()).toHaveAttribute('data-included', 'true');
  assert.equal(await page.locator('[data-testid="unresolved-row"][data-class="external"]').count(), 0);
  assert.ok((await page.locator('[data-testid="unresolved-row"][data-class="aliased"]').count()) >= count);

  // Block all egress.
  await byTestId(page, 'tab-egress').click();
  await byTestId(page, 'general-rule-egress').selectOption('block-all');
  await expect(page.locator('.fp-review__explain').first()).toHaveText(/may connect nowhere/);
  const egressIncluded = await page.locator('[data-testid="comm-row"][data-direction="egress"]').evaluateAll((rows) => rows.map((r) => r.dataset.included));
  assert.ok(egressIncluded.length > 0 && egressIncluded.every((v) => v === 'false'));
  await page.screenshot({ path: path.join(artifacts, 'review-egress-blocked.png'), fullPage: true });
  await byTestId(page, 'tab-ingress').click();
  await page.screenshot({ path: path.join(artifacts, 'review-ingress.png'), fullPage: true });
  const before = await reviewState(page);

  // The generated policy follows: prometheus gone, the internet's ipBlock in, egress empty.
  await byTestId(page, 'tab-policy').click();
  const yaml = await byTestId(page, 'policy-yaml').textContent();
  assert.doesNotMatch(yaml, /app: prometheus/);
  assert.match(yaml, /ipBlock:\n        cidr: 0\.0\.0\.0\/0/);
  assert.doesNotMatch(yaml, /egress:/);
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);

  // Reload: the data must be loaded again; its decisions come back with it.
  await page.reload();
  await frontend(page);
  await page.getByText('Decisions of an earlier review of this data restored.').waitFor();
  assert.deepEqual(await reviewState(page), before);
  assert.deepEqual(errors, []);
  await context.close();
});

test('exported decisions imported on a fresh page give the same review', async () => {
  const first = await openApp();
  await frontend(first.page);
  await row(first.page, 'ingress', 'Deployment/monitoring/prometheus').getByTestId('include-toggle').uncheck();
  await byTestId(first.page, 'general-rule-ingress').selectOption('allow-namespace');
  const [file] = await Promise.all([
    first.page.waitForEvent('download'),
    byTestId(first.page, 'export-decisions').click(),
  ]);
  assert.equal(file.suggestedFilename(), 'flowpol-decisions.json');
  // Downloads go away with their context: keep a copy.
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const exported = path.join(dir, 'review.json');
  await file.saveAs(exported);
  const state = await reviewState(first.page);
  await first.context.close();

  // A new context: empty storage, nothing remembered.
  const second = await openApp();
  await frontend(second.page);
  // Nothing of the first review here yet: Prometheus included, rules per row.
  const fresh = await reviewState(second.page);
  assert.ok(fresh.ingress.includes('ingress Deployment/monitoring/prometheus TCP/9090 true'), fresh.ingress.join('\n'));
  assert.equal(fresh.ingressRule, 'per-row');
  assert.ok(state.ingress.includes('ingress Deployment/monitoring/prometheus TCP/9090 false'), state.ingress.join('\n'));
  assert.equal(state.ingressRule, 'allow-namespace');
  await byTestId(second.page, 'import-decisions').setInputFiles(exported);
  await second.page.getByText('Decisions imported from').waitFor();
  assert.deepEqual(await reviewState(second.page), state);
  await expect(byTestId(second.page, 'decision-count')).toHaveText(/^2 decisions$/);
  assert.deepEqual(second.errors, []);
  await second.context.close();
  await rm(dir, { recursive: true, force: true });
});

test('the scope: a Service, the entity search, and a time span that narrows the counts', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-kind').selectOption('Service');
  await byTestId(page, 'scope-search').fill('catalog');
  const options = await byTestId(page, 'scope-entity').locator('option').allInnerTexts();
  assert.deepEqual(options.slice(1).map((o) => o.replace(/ \(.*/, '')), ['shop/catalog']);
  const catalog = await byTestId(page, 'scope-entity').locator('option', { hasText: 'shop/catalog (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(catalog);
  const fromFrontend = row(page, 'ingress', 'Deployment/shop/frontend');
  await expect(fromFrontend).toHaveAttribute('data-port', '3550');
  const connections = async () => Number((await fromFrontend.locator('td').nth(4).innerText()).replace(/,/g, ''));
  const whole = await connections();
  await byTestId(page, 'scope-preset').selectOption({ label: 'Last 15 minutes' });
  const recent = await connections();
  assert.ok(recent > 0 && recent < whole, `${recent} < ${whole}`);
  assert.notEqual(await byTestId(page, 'scope-since').inputValue(), '');
  await page.screenshot({ path: path.join(artifacts, 'review-service-span.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the review works with the keyboard alone', async () => {
  const { page, context, errors } = await openApp();
  await frontend(page);
  const toggle = row(page, 'ingress', 'Deployment/monitoring/prometheus').getByTestId('include-toggle');
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(row(page, 'ingress', 'Deployment/monitoring/prometheus')).toHaveAttribute('data-included', 'false');
  // The row is updated in place: the focus stays on its toggle, and Space undoes.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'include-toggle');
  await page.keyboard.press('Space');
  await expect(row(page, 'ingress', 'Deployment/monitoring/prometheus')).toHaveAttribute('data-included', 'true');
  await byTestId(page, 'general-rule-ingress').focus();
  await page.keyboard.press('End');
  await expect(byTestId(page, 'general-rule-ingress')).toHaveValue('allow-all');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a thousand rows: only those in view are in the page, and scrolling reaches the last', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  execFileSync(cli(), ['demo', '--flows', '1', '--bench-namespace', '200,5000', '--out', dir], { stdio: 'ignore' });
  const { page, context, errors } = await openApp();
  await byTestId(page, 'file-input').setInputFiles(path.join(dir, 'bench-namespace.flowpol.jsonl'));
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('bench');
  const hub = await byTestId(page, 'scope-entity').locator('option', { hasText: 'bench/w000 (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(hub);
  await byTestId(page, 'tab-egress').click();
  const counts = await byTestId(page, 'comm-counts').innerText();
  const total = Number(counts.match(/([\d,]+) shown/)[1].replace(/,/g, ''));
  assert.ok(total >= 1000, counts);
  const rendered = await page.locator('[data-testid="comm-row"]').count();
  assert.ok(rendered < 100, `${rendered} rows in the page`);
  await page.evaluate(() => {
    const viewport = document.querySelector('.fp-comms__viewport');
    viewport.scrollTop = viewport.scrollHeight;
  });
  // Sorted by peer, the last rows are the highest-numbered workloads.
  await page.locator('[data-testid="comm-row"][data-peer="Deployment/bench/w199"]').first().waitFor();
  // Exclude everything a filter shows, rows out of view included.
  const number = (text, label) => Number(text.match(new RegExp(`([\\d,]+) ${label}`))[1].replace(/,/g, ''));
  const before = number(await byTestId(page, 'comm-counts').innerText(), 'excluded');
  await byTestId(page, 'comm-filter-egress').fill('bench/w1');
  const shown = await byTestId(page, 'comm-counts').innerText();
  const filtered = number(shown, 'shown');
  assert.ok(filtered > 100 && filtered < total, shown);
  await byTestId(page, 'exclude-all-shown').click();
  await byTestId(page, 'comm-filter-egress').fill('');
  const after = number(await byTestId(page, 'comm-counts').innerText(), 'excluded');
  assert.equal(after, before + filtered);
  await page.screenshot({ path: path.join(artifacts, 'review-thousand-rows.png') });
  assert.deepEqual(errors, []);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('adding a file keeps the workload in scope and the decisions (ids change between loads)', async () => {
  const { page, context, errors } = await openApp();
  await frontend(page);
  // A decision before the load: Prometheus's scrapes excluded.
  const scrape = row(page, 'ingress', 'Deployment/monitoring/prometheus');
  await scrape.getByTestId('include-toggle').uncheck();
  await expect(scrape).toHaveAttribute('data-included', 'false');
  // A capture of another cluster: workloads are named with their cluster from now on.
  await byTestId(page, 'file-input').setInputFiles(path.join(root, 'tests/fixtures/clusters/cronjob-chain/flows.jsonl'));
  await page.getByText('3 files loaded').waitFor();
  const carried = row(page, 'ingress', 'shop-prod/Deployment/monitoring/prometheus');
  await expect(carried).toHaveAttribute('data-included', 'false');
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop-prod\/shop\/frontend \(/);
  assert.deepEqual(errors, []);
  await context.close();
});
