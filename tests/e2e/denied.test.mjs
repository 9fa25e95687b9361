// End-to-end tests of what the page shows when the generated policies would deny a
// communication the review includes (the verifier's finding): a banner above the YAML listing
// each with why, a mark on its review row, and its topology edge drawn in a state of its own
// (colour, dots, a crossed circle, words), with a legend entry and the reason in its tooltip;
// axe-core finds nothing in these states, light and dark. The case: the demo's payment-gateway
// allowed to reach api.stripe.com by name, which a NetworkPolicy cannot say (a
// CiliumNetworkPolicy can). And the demo as it loads: nothing denied, no banner, no mark.
// Screenshots in tests/e2e/artifacts/denied-*.png.
//
// Run: node --test tests/e2e/denied.test.mjs   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, openApp, byTestId, expect, axeViolations } from './harness.mjs';

const WHY = 'a NetworkPolicy cannot name 203.0.113.10 by its DNS name api.stripe.com';

const row = (page, peer) =>
  page.locator(`[data-testid="comm-row"][data-direction="egress"][data-peer="${peer}"]`);
const stripeEdge = (page, ip) =>
  page.locator(`[data-testid="topo-edge"][data-from="Deployment/payments/payment-gateway"][data-to="${ip}"][data-port="443"]`);

async function chooseGateway(page) {
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('payments');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity')
    .locator('option', { hasText: 'payments/payment-gateway (' })
    .getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
}

test('an included communication the NetworkPolicy denies: the banner, the row mark, the topology edge', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await page.setViewportSize({ width: 1440, height: 900 });
    const violations = {};
    const check = async (state) => {
      const found = await axeViolations(page);
      if (found.length) violations[state] = found;
    };
    await chooseGateway(page);
    await byTestId(page, 'tab-egress').click();
    const stripe = row(page, '203.0.113.10');
    await expect(stripe).toHaveAttribute('data-included', 'false');
    await expect(stripe.getByTestId('row-denied')).toHaveCount(0);
    await stripe.getByTestId('row-allow-name').click();
    await expect(stripe).toHaveAttribute('data-included', 'true');

    // The rows: both addresses of the name, marked, with why.
    for (const ip of ['203.0.113.10', '203.0.113.11']) {
      const mark = row(page, ip).getByTestId('row-denied');
      await expect(mark).toBeVisible();
      await expect(mark).toContainText('denied by the policy');
      await expect(mark).toHaveAttribute('title', new RegExp(`generated policy denies it: .*cannot name ${ip.replaceAll('.', '\\.')} by its DNS name api\\.stripe\\.com`));
    }
    await expect(page.getByTestId('row-denied')).toHaveCount(2);
    await check('egress rows with a denied mark');
    await stripe.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, `denied-row-${scheme}.png`) });

    // The topology: the edge drawn denied, not excluded; said so; why in its tooltip.
    await byTestId(page, 'tab-topology').click();
    await byTestId(page, 'topology-svg').waitFor();
    const edge = stripeEdge(page, '203.0.113.10');
    await expect(edge).toHaveAttribute('data-state', 'denied');
    await expect(stripeEdge(page, '203.0.113.11')).toHaveAttribute('data-state', 'denied');
    await expect(page.locator('[data-testid="topo-edge"][data-state="denied"]')).toHaveCount(2);
    await expect(edge).toHaveAttribute('aria-pressed', 'true');
    await expect(edge).toHaveAttribute('aria-label', new RegExp(`, included, but the generated policy denies it: .*${WHY}`));
    const line = edge.locator('.fp-topo__line');
    await expect(line).toHaveCSS('stroke-dasharray', '1px, 4px');
    await expect(line).toHaveAttribute('marker-end', 'url(#fp-arrow-denied)');
    const colour = await line.evaluate((l) => getComputedStyle(l).stroke);
    assert.equal(colour, scheme === 'light' ? 'rgb(168, 67, 0)' : 'rgb(255, 159, 67)');
    const excludedRed = scheme === 'light' ? 'rgb(198, 40, 40)' : 'rgb(255, 107, 107)';
    assert.notEqual(colour, excludedRed, 'not the excluded style');
    await expect(edge.locator('.fp-topo__edge-label')).toHaveText('✗ TCP/443');
    // A crossed circle halfway along it, on no other kind of edge.
    await expect(edge.locator('.fp-topo__deny-mark')).toHaveCount(1);
    await expect(page.locator('[data-testid="topo-edge"] .fp-topo__deny-mark')).toHaveCount(2);
    await expect(byTestId(page, 'topo-legend-denied')).toContainText('included, but the generated policy denies it');
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `denied-topology-${scheme}.png`) });
    await edge.hover();
    const tooltip = byTestId(page, 'topo-tooltip');
    await expect(tooltip).toContainText('In the policyyes (click to exclude)');
    await expect(tooltip).toContainText(`Deniedincluded, but the generated policy denies it: egress at the client: ${WHY}`);
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `denied-topology-tooltip-${scheme}.png`) });
    await page.mouse.move(0, 0);
    await edge.focus();
    await expect(tooltip).toContainText('Deniedincluded, but the generated policy denies it');
    await check('topology with a denied edge and its tooltip');
    // The namespace view folds both addresses into one edge: denied, saying how many.
    await byTestId(page, 'topo-view-namespace').click();
    const folded = page.locator('[data-testid="topo-edge"][data-from="Deployment/payments/payment-gateway"][data-to="addresses/external"][data-port="443"]');
    await expect(folded).toHaveAttribute('data-state', 'denied');
    await expect(folded).toHaveAttribute('aria-label', /included, but the generated policy denies it: 2 of its 2 rows; the first: egress at the client: a NetworkPolicy cannot/);
    await check('namespace view with a denied edge');
    await byTestId(page, 'topo-view-entity').click();
    await expect(edge).toHaveAttribute('data-state', 'denied');
    // In grey, the denied edge still differs from an included and an excluded one.
    await page.evaluate(() => { document.documentElement.style.filter = 'grayscale(1)'; });
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `denied-topology-grey-${scheme}.png`) });
    await page.evaluate(() => { document.documentElement.style.filter = ''; });

    // The Generated Policy tab: the banner above the YAML, one item per communication.
    await byTestId(page, 'tab-policy').click();
    await byTestId(page, 'policy-yaml').waitFor();
    const banner = byTestId(page, 'denied-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('role', 'alert');
    await expect(banner).toContainText('The generated NetworkPolicies deny 2 communications the review includes');
    const items = banner.getByTestId('denied-item');
    await expect(items).toHaveCount(2);
    await expect(items.nth(0)).toHaveText(
      `Deployment/payments/payment-gateway -> 203.0.113.10 (api.stripe.com) TCP/443: egress at the client: ${WHY}; map the address to an alias, or write CiliumNetworkPolicies`,
    );
    await expect(items.nth(1)).toContainText('-> 203.0.113.11 (api.stripe.com) TCP/443: ');
    const bannerBox = await banner.boundingBox();
    const yamlBox = await byTestId(page, 'policy-yaml').boundingBox();
    assert.ok(bannerBox.y + bannerBox.height <= yamlBox.y, 'the banner is above the YAML');
    await expect(byTestId(page, 'verify-summary')).toHaveText(/^✗ Mismatch: 2 of \d+ included communications DENIED/);
    await check('policy tab with the denied banner');
    await page.screenshot({ path: path.join(artifacts, `denied-banner-${scheme}.png`) });

    // As CiliumNetworkPolicies (toFQDNs): allowed, so no banner, no mark, no denied edge.
    await byTestId(page, 'policy-kind').selectOption('cilium');
    await expect(byTestId(page, 'verify-summary')).toHaveText(/^✓ Verified/);
    await expect(banner).toHaveCount(0);
    await byTestId(page, 'tab-topology').click();
    await expect(edge).toHaveAttribute('data-state', 'included');
    await byTestId(page, 'tab-egress').click();
    await expect(page.getByTestId('row-denied')).toHaveCount(0);

    // Back to NetworkPolicies, then one of the two excluded: its mark goes, the other stays.
    await byTestId(page, 'tab-policy').click();
    await byTestId(page, 'policy-kind').selectOption('kubernetes');
    await expect(byTestId(page, 'denied-item')).toHaveCount(2);
    await byTestId(page, 'tab-egress').click();
    await expect(page.getByTestId('row-denied')).toHaveCount(2);
    await row(page, '203.0.113.11').getByTestId('include-toggle').uncheck();
    await expect(row(page, '203.0.113.11').getByTestId('row-denied')).toHaveCount(0);
    await expect(stripe.getByTestId('row-denied')).toHaveCount(1);
    await byTestId(page, 'tab-topology').click();
    await expect(stripeEdge(page, '203.0.113.11')).toHaveAttribute('data-state', 'excluded');
    await expect(edge).toHaveAttribute('data-state', 'denied');
    await byTestId(page, 'tab-policy').click();
    await expect(byTestId(page, 'denied-item')).toHaveCount(1);
    await expect(byTestId(page, 'denied-banner')).toContainText('deny 1 communication the review includes');

    assert.deepEqual(violations, {}, `${scheme}: ${JSON.stringify(violations, null, 1)}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the demo as it loads: every included communication allowed, no banner, no mark', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  // The workload the review lands on, then every namespace's bundle.
  await page.locator('[data-testid="comm-row"]').first().waitFor();
  await byTestId(page, 'tab-policy').click();
  await byTestId(page, 'policy-yaml').waitFor();
  await expect(byTestId(page, 'verify-summary')).toHaveText(/^✓ Verified/);
  await expect(byTestId(page, 'denied-banner')).toHaveCount(0);
  for (const tab of ['tab-ingress', 'tab-egress']) {
    await byTestId(page, tab).click();
    await page.locator('[data-testid="comm-row"]').first().waitFor();
    await expect(page.getByTestId('row-denied')).toHaveCount(0);
  }
  await byTestId(page, 'tab-topology').click();
  await page.locator('[data-testid="topo-edge"]').first().waitFor();
  await expect(page.locator('[data-testid="topo-edge"][data-state="denied"]')).toHaveCount(0);
  await byTestId(page, 'scope-namespace').selectOption('');
  await expect(byTestId(page, 'topo-view-namespace')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('[data-testid="topo-edge"]').first().waitFor();
  await expect(page.locator('[data-testid="topo-edge"][data-state="denied"]')).toHaveCount(0);
  await byTestId(page, 'tab-policy').click();
  await expect(page.locator('.fp-policy__title')).toHaveText(/policies of every namespace/);
  await expect(byTestId(page, 'verify-summary')).toHaveText(/^✓ Verified: all \d+ included communications allowed/);
  await expect(byTestId(page, 'denied-banner')).toHaveCount(0);
  assert.deepEqual(errors, []);
  await context.close();
});
