// End-to-end tests of the review as a first-time user meets it, at 1440×900: the review lands
// on a workload with its first row in view; an address is mapped where it is (a dialog, the
// focus in the name, the DNS name suggested, a CIDR that misses the address warned about, the
// focus back on the row); aliases listed, edited, deleted; several addresses at once and "from
// anywhere"; rows that say what decides them; files loaded twice, removed, cleared; the
// keyboard's skip link and date fields; thousands of client addresses grouped and windowed;
// a narrow window; an entity type with nothing in scope; disabled buttons that look it; axe-core
// finds no violation in the review's states. Screenshots in light and dark
// (tests/e2e/artifacts/ux-*.png).
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { root, artifacts, openApp, byTestId, expect, axeViolations } from './harness.mjs';

const row = (page, direction, peer) =>
  page.locator(`[data-testid="comm-row"][data-direction="${direction}"][data-peer="${peer}"]`);

async function demo(page) {
  await page.setViewportSize({ width: 1440, height: 900 });
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
}

/** Scopes to `namespace/name` (a Deployment). */
async function scopeTo(page, namespace, name) {
  await byTestId(page, 'scope-namespace').selectOption(namespace);
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: `${namespace}/${name} (` }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
}

const violations = axeViolations;

test('after a load the review lands on the busiest workload, its first row in view', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await demo(page);
    await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop\/frontend \(/);
    const first = page.locator('[data-testid="comm-row"]').first();
    await expect(first).toBeVisible();
    const box = await first.boundingBox();
    assert.ok(box.y + box.height <= 900, `first row at ${box.y}`);
    // The load area is one line with its actions; the file list opens on demand.
    await expect(byTestId(page, 'loaded-file').first()).toBeHidden();
    await byTestId(page, 'toggle-files').click();
    await expect(byTestId(page, 'loaded-file')).toHaveCount(2);
    await expect(byTestId(page, 'file-outcome').first()).toContainText('replies');
    await byTestId(page, 'toggle-files').click();
    await page.screenshot({ path: path.join(artifacts, `ux-landing-${scheme}.png`) });
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('an address is mapped where it is: dialog, suggested name, warning, focus back on the row', async () => {
  const { page, context, errors } = await openApp();
  await demo(page);
  await scopeTo(page, 'payments', 'payment-gateway');
  await byTestId(page, 'tab-egress').click();
  const stripe = row(page, 'egress', '203.0.113.10');
  await expect(stripe.getByTestId('row-reason')).toHaveText('needs an alias');
  await expect(stripe.getByTestId('include-toggle')).toBeDisabled();
  await stripe.getByTestId('row-map-ip').click();
  const dialog = byTestId(page, 'alias-dialog');
  await expect(dialog).toBeVisible();
  await expect(byTestId(page, 'alias-name')).toBeFocused();
  await expect(byTestId(page, 'alias-name')).toHaveValue('api.stripe.com');
  await expect(byTestId(page, 'alias-cidr')).toHaveValue('203.0.113.10/32');
  // A CIDR that misses the address is warned about before saving.
  await byTestId(page, 'alias-cidr').fill('198.51.100.0/24');
  await expect(byTestId(page, 'alias-warning')).toContainText('does not contain 203.0.113.10');
  await byTestId(page, 'alias-cidr').fill('203.0.113.0/28');
  await expect(byTestId(page, 'alias-warning')).toHaveCount(0);
  await page.screenshot({ path: path.join(artifacts, 'ux-alias-dialog-light.png') });
  assert.deepEqual(await violations(page), []);
  await byTestId(page, 'alias-save').click();
  await expect(dialog).toHaveCount(0);
  // Both addresses of the range are now the alias, included, and the focus is on its row.
  const aliased = row(page, 'egress', 'api.stripe.com');
  await expect(aliased).toHaveCount(2);
  await expect(aliased.first()).toHaveAttribute('data-included', 'true');
  await expect(aliased.first().getByTestId('include-toggle')).toBeFocused();
  // The aliases: what each covers; edit, then delete.
  const listed = page.locator('[data-testid="alias-row"][data-alias="api.stripe.com"]');
  await expect(listed).toContainText('203.0.113.0/28');
  await expect(listed.locator('td').nth(2)).toHaveText('2');
  await listed.getByTestId('alias-edit').click();
  await expect(byTestId(page, 'alias-cidr')).toHaveValue('203.0.113.0/28');
  await byTestId(page, 'alias-name').fill('stripe');
  await byTestId(page, 'alias-save').click();
  await expect(page.locator('[data-testid="alias-row"][data-alias="stripe"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="alias-row"][data-alias="api.stripe.com"]')).toHaveCount(0);
  await page.locator('[data-testid="alias-row"][data-alias="stripe"]').getByTestId('alias-delete').click();
  await expect(byTestId(page, 'alias-list')).toHaveCount(0);
  await expect(row(page, 'egress', '203.0.113.10')).toHaveAttribute('data-included', 'false');
  // Escape closes the dialog and gives the focus back to the button that opened it.
  await row(page, 'egress', '203.0.113.11').getByTestId('row-map-ip').click();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(row(page, 'egress', '203.0.113.11').getByTestId('row-map-ip')).toBeFocused();
  assert.deepEqual(errors, []);
  await context.close();
});

test('several addresses at once, and from anywhere', async () => {
  const { page, context, errors } = await openApp();
  await demo(page);
  // The frontend's ingress: twelve internet clients.
  const external = page.locator('[data-testid="unresolved-row"][data-class="external"]');
  await expect(external).toHaveCount(12);
  await external.nth(0).getByTestId('unresolved-select').check();
  await external.nth(1).getByTestId('unresolved-select').check();
  await expect(byTestId(page, 'map-selected')).toHaveText('Map 2 selected…');
  await byTestId(page, 'map-selected').click();
  await expect(byTestId(page, 'alias-addresses')).toBeVisible();
  await expect(byTestId(page, 'alias-cidr')).toHaveCount(0);
  await byTestId(page, 'alias-name').fill('partners');
  await byTestId(page, 'alias-save').click();
  await expect(row(page, 'ingress', 'partners')).toHaveCount(2);
  await expect(row(page, 'ingress', 'partners').first()).toHaveAttribute('data-included', 'true');
  // From anywhere: one alias of 0.0.0.0/0, explained.
  await byTestId(page, 'map-anywhere').click();
  await expect(byTestId(page, 'alias-dialog')).toContainText('anyone on the internet');
  await expect(byTestId(page, 'alias-cidr')).toHaveValue('0.0.0.0/0');
  await byTestId(page, 'alias-save').click();
  // The ten other internet clients and the two nodes' probes.
  await expect(row(page, 'ingress', 'anywhere')).toHaveCount(12);
  await expect(row(page, 'ingress', 'anywhere').first()).toHaveAttribute('data-included', 'true');
  // The more specific alias keeps its addresses.
  await expect(row(page, 'ingress', 'partners')).toHaveCount(2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('rows say what decides them, and the DNS option says when it changes nothing', async () => {
  const { page, context, errors } = await openApp();
  await demo(page);
  const scrape = row(page, 'ingress', 'Deployment/monitoring/prometheus');
  await expect(scrape.getByTestId('include-toggle')).toBeChecked();
  await byTestId(page, 'general-rule-ingress').selectOption('block-all');
  await expect(scrape.getByTestId('row-reason')).toHaveText('rule: block all');
  await expect(scrape.getByTestId('include-toggle')).not.toBeChecked();
  await expect(scrape.getByTestId('include-toggle')).toBeDisabled();
  await byTestId(page, 'general-rule-ingress').selectOption('per-row');
  await expect(scrape.getByTestId('row-reason')).toHaveCount(0);
  // The DNS option allows the lookups whatever the row says.
  await byTestId(page, 'tab-egress').click();
  const dns = row(page, 'egress', 'Deployment/kube-system/coredns').first();
  await dns.getByTestId('include-toggle').uncheck();
  await expect(dns).toHaveAttribute('data-included', 'false');
  await byTestId(page, 'tab-policy').click();
  await byTestId(page, 'dns-toggle').check();
  await byTestId(page, 'tab-egress').click();
  await expect(dns.getByTestId('row-reason')).toHaveText('DNS option');
  await expect(dns.getByTestId('include-toggle')).toBeChecked();
  await page.screenshot({ path: path.join(artifacts, 'ux-row-reasons-light.png') });
  // With egress allowed everywhere, the option changes nothing, and says so.
  await byTestId(page, 'general-rule-egress').selectOption('allow-all');
  await byTestId(page, 'tab-policy').click();
  await byTestId(page, 'dns-toggle').uncheck();
  await expect(byTestId(page, 'dns-unchanged')).toBeVisible();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file loaded twice is listed once; a file can be removed; Clear empties everything', async () => {
  const { page, context, errors } = await openApp();
  await demo(page);
  await expect(byTestId(page, 'decision-count')).toHaveText('0 decisions');
  await row(page, 'ingress', 'Deployment/monitoring/prometheus').getByTestId('include-toggle').uncheck();
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  await byTestId(page, 'demo-button').click();
  await expect(byTestId(page, 'load-notice')).toContainText('Loaded already, not added again: flows.jsonl, inventory.json');
  await byTestId(page, 'toggle-files').click();
  await expect(byTestId(page, 'loaded-file')).toHaveCount(2);
  // Without the inventory: selectors come from the flows, and the review says so.
  await byTestId(page, 'loaded-file').nth(1).getByTestId('remove-file').click();
  await expect(byTestId(page, 'loaded-file')).toHaveCount(1);
  await expect(byTestId(page, 'inventory-note')).toContainText('No inventory for this workload');
  await byTestId(page, 'clear-files').click();
  await expect(byTestId(page, 'load-status')).toContainText('No files loaded yet');
  await expect(byTestId(page, 'empty-state')).toContainText('No flows loaded');
  // The decisions stayed with their data: loading it again brings them back.
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the keyboard: a skip link to the review, one stop per date field', async () => {
  const { page, context, errors } = await openApp();
  await page.setViewportSize({ width: 1440, height: 900 });
  // The first Tab on the page: the skip link, shown; Enter, then Tab: the tabs.
  await page.keyboard.press('Tab');
  await expect(byTestId(page, 'skip-to-review')).toBeFocused();
  await expect(byTestId(page, 'skip-to-review')).toBeInViewport();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(byTestId(page, 'tab-ingress')).toBeFocused();
  await demo(page);
  await byTestId(page, 'scope-since').focus();
  await page.keyboard.press('Tab');
  await expect(byTestId(page, 'scope-until')).toBeFocused();
  // Typed by hand, with a space: the span follows.
  await byTestId(page, 'scope-since').fill('2026-11-20 09:30');
  await byTestId(page, 'scope-since').press('Enter');
  await byTestId(page, 'scope-since').blur();
  await expect(byTestId(page, 'scope-since')).toHaveValue('2026-11-20T09:30');
  await byTestId(page, 'scope-until').fill('not a time');
  await byTestId(page, 'scope-until').blur();
  await expect(byTestId(page, 'scope-until')).toHaveAttribute('aria-invalid', 'true');
  // The focus ring shows for the keyboard only.
  await byTestId(page, 'export-decisions').click();
  const ring = await byTestId(page, 'export-decisions').evaluate((b) => getComputedStyle(b).outlineStyle);
  assert.equal(ring, 'none');
  assert.deepEqual(errors, []);
  await context.close();
});

test('thousands of client addresses: grouped, windowed, mapped as groups', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const file = path.join(dir, 'clients.jsonl');
  const lines = [];
  for (let i = 0; i < 6500; i++) {
    const ip = `198.${18 + (i % 2)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`;
    lines.push(JSON.stringify({
      src: { ip },
      dst: { namespace: 'shop', workload: 'Deployment/storefront', labels: { app: 'storefront' } },
      port: 8080, protocol: 'TCP', count: 1, time: '2026-11-20T09:00:00Z',
    }));
  }
  lines.push(JSON.stringify({
    src: { namespace: 'shop', workload: 'Deployment/storefront', labels: { app: 'storefront' } },
    dst: { namespace: 'shop', workload: 'Deployment/cart', labels: { app: 'cart' } },
    port: 7070, protocol: 'TCP', count: 3, time: '2026-11-20T09:00:00Z',
  }));
  await writeFile(file, lines.join('\n') + '\n');
  const { page, context, errors } = await openApp();
  await page.setViewportSize({ width: 1440, height: 900 });
  await byTestId(page, 'file-input').setInputFiles(file);
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop\/storefront \(/);
  await expect(byTestId(page, 'unresolved-counts')).toHaveText(/^6,500 addresses in \d+ groups$/);
  await expect(byTestId(page, 'ip-group-by')).toHaveValue('narrow');
  // Only the rows in view are in the page, in both tables.
  assert.ok(await page.locator('[data-testid="comm-row"]').count() < 200);
  assert.ok(await page.locator('[data-testid="unresolved-group"]').count() <= 60);
  await byTestId(page, 'ip-group-by').selectOption('each');
  await expect(byTestId(page, 'unresolved-counts')).toHaveText('6,500 addresses');
  assert.ok(await page.locator('[data-testid="unresolved-row"]').count() < 200);
  await byTestId(page, 'ip-group-by').selectOption('wide');
  const groups = page.locator('[data-testid="unresolved-group"]');
  await expect(groups).toHaveCount(2);
  await groups.first().getByTestId('map-group').click();
  await expect(byTestId(page, 'alias-cidr')).toHaveValue(/^198\.1[89]\.0\.0\/16$/);
  await byTestId(page, 'alias-name').fill('clients');
  await byTestId(page, 'alias-save').click();
  await expect(page.locator('[data-testid="alias-row"][data-alias="clients"] td').nth(2)).toHaveText('3,250');
  await page.screenshot({ path: path.join(artifacts, 'ux-thousands-light.png') });
  assert.deepEqual(await violations(page), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(artifacts, 'ux-thousands-dark.png') });
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('a narrow window (800 px): peer, port, inclusion and DNS names stay in view; times and counts fold', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await page.setViewportSize({ width: 800, height: 900 });
    await byTestId(page, 'demo-button').click();
    await byTestId(page, 'dataset-summary').waitFor();
    await scopeTo(page, 'payments', 'payment-gateway');
    await byTestId(page, 'tab-egress').click();
    const stripe = row(page, 'egress', '203.0.113.10');
    await expect(stripe).toBeVisible();
    const cells = stripe.locator('td');
    // Inclusion, peer, port, protocol and DNS names inside the window; the three others folded.
    for (const index of [0, 1, 2, 3, 7]) {
      const box = await cells.nth(index).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 800, `column ${index + 1} at ${JSON.stringify(box)}`);
    }
    await expect(cells.nth(7)).toHaveText('api.stripe.com');
    for (const index of [4, 5, 6]) {
      await expect(cells.nth(index)).toBeHidden();
    }
    // Nothing scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0);
    await page.screenshot({ path: path.join(artifacts, `ux-narrow-${scheme}.png`) });
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('each state in dark: the alias dialog, row reasons, the unresolved addresses, an empty entity type; axe-clean', async () => {
  const { page, context, errors } = await openApp('dark');
  await demo(page);
  // An entity type with nothing in the scope says so.
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'scope-kind').selectOption('StatefulSet');
  await expect(byTestId(page, 'scope-entity').locator('option').first()).toHaveText('No StatefulSet in this scope');
  await expect(byTestId(page, 'scope-entity').locator('option')).toHaveCount(1);
  await scopeTo(page, 'payments', 'payment-gateway');
  await byTestId(page, 'tab-egress').click();
  const stripe = row(page, 'egress', '203.0.113.10');
  await expect(stripe.getByTestId('row-reason')).toHaveText('needs an alias');
  await page.screenshot({ path: path.join(artifacts, 'ux-row-reasons-dark.png') });
  assert.deepEqual(await violations(page), []);
  await stripe.getByTestId('row-map-ip').click();
  await byTestId(page, 'alias-cidr').fill('198.51.100.0/24');
  await expect(byTestId(page, 'alias-warning')).toBeVisible();
  await page.screenshot({ path: path.join(artifacts, 'ux-alias-dialog-dark.png') });
  assert.deepEqual(await violations(page), []);
  await page.keyboard.press('Escape');
  // The unresolved addresses of the frontend, grouped, with a selection made.
  await scopeTo(page, 'shop', 'frontend');
  await byTestId(page, 'tab-ingress').click();
  const external = page.locator('[data-testid="unresolved-row"][data-class="external"]');
  await expect(external).toHaveCount(12);
  // Disabled buttons look disabled: dimmed and without the pointer.
  const look = await page.evaluate(() => {
    const disabled = document.querySelector('[data-testid="map-selected"]');
    const enabled = document.querySelector('button.fp-button:not(:disabled)');
    const style = (b) => ({ opacity: getComputedStyle(b).opacity, cursor: getComputedStyle(b).cursor });
    return disabled?.disabled && enabled ? { disabled: style(disabled), enabled: style(enabled) } : null;
  });
  assert.ok(look, 'Map selected… (disabled with nothing selected) and another button');
  assert.ok(Number(look.disabled.opacity) < Number(look.enabled.opacity), JSON.stringify(look));
  assert.equal(look.disabled.cursor, 'not-allowed');
  await external.nth(0).getByTestId('unresolved-select').check();
  await byTestId(page, 'ip-group-by').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifacts, 'ux-unresolved-dark.png') });
  assert.deepEqual(await violations(page), []);
  // The focus ring shows for the keyboard.
  await byTestId(page, 'export-decisions').focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(byTestId(page, 'export-decisions')).toBeFocused();
  const ring = await byTestId(page, 'export-decisions').evaluate((b) => getComputedStyle(b).outlineStyle);
  assert.notEqual(ring, 'none');
  assert.deepEqual(errors, []);
  await context.close();
});
