// End-to-end test of L7 rules in the page, on the demo (whose flows carry HTTP and DNS L7
// records): a row's requests grouped by pattern with their own include toggles, the Cilium
// kind's "L7 rules" switch writing `toPorts[].rules` verified per request, the topology's
// tooltip naming the top patterns, and the download byte-identical to
// `flowpol generate --format cilium --l7 --decisions` with the decisions the page exports.
//
// Run: node --test tests/e2e/   (after `trunk build --release` and `cargo build`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { dist, artifacts, cli, openApp, byTestId, demoDeployment, expect } from './harness.mjs';

const row = (page, direction, peer, port) =>
  page.locator(`[data-testid="comm-row"][data-direction="${direction}"][data-peer="${peer}"][data-port="${port}"]`);

test('requests by pattern, an excluded pattern, L7 rules verified per request, equal to flowpol generate --l7', async () => {
  const { page, context, errors } = await openApp();
  await demoDeployment(page);
  await byTestId(page, 'tab-egress').click();

  // The catalog row: three patterns, the ids grouped.
  const catalog = row(page, 'egress', 'Deployment/shop/catalog', '3550');
  const patterns = catalog.getByTestId('l7-patterns');
  await expect(patterns.locator('summary')).toHaveText('3 request patterns');
  await patterns.locator('summary').click();
  const pattern = (key) => patterns.locator(`[data-testid="l7-pattern"][data-key="${key}"]`);
  await expect(pattern('/products/{id}')).toContainText('GET /products/{id}');
  await expect(pattern('/products/{id}')).toContainText('distinct');
  await expect(pattern('/health')).toHaveAttribute('data-included', 'true');
  // Excluding the health check: the pattern says so, the row stays included.
  await pattern('/health').getByTestId('l7-pattern-toggle').uncheck();
  await expect(pattern('/health')).toHaveAttribute('data-included', 'false');
  await expect(patterns.locator('summary')).toHaveText('3 request patterns, 1 excluded');
  await expect(catalog).toHaveAttribute('data-included', 'true');
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  await page.screenshot({ path: path.join(artifacts, 'l7-review.png'), fullPage: true });

  // The Cilium kind with L7 rules: the paths seen, the excluded one left out, every request
  // checked.
  await byTestId(page, 'tab-policy').click();
  await byTestId(page, 'policy-kind').selectOption('cilium');
  await expect(byTestId(page, 'policy-yaml')).toContainText('kind: CiliumNetworkPolicy');
  await expect(byTestId(page, 'policy-yaml')).not.toContainText('rules:\n        http:');
  await byTestId(page, 'l7-toggle').check();
  await expect(byTestId(page, 'policy-yaml')).toContainText('path: ^/products/[^/]+$');
  await expect(byTestId(page, 'policy-yaml')).toContainText('path: ^/cart/[^/]+/items$');
  await expect(byTestId(page, 'policy-yaml')).not.toContainText('path: ^/health$');
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);
  await expect(page.locator('.fp-policy')).toContainText(/L7: all \d+ requests seen allowed, (the 1|all \d+) excluded denied/);
  await page.screenshot({ path: path.join(artifacts, 'l7-policy.png'), fullPage: true });

  // The same decisions on the command line give the same bytes.
  const [decisionsFile] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'export-decisions').click()]);
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-l7-'));
  const decisions = path.join(dir, 'decisions.json');
  await decisionsFile.saveAs(decisions);
  assert.match(await readFile(decisions, 'utf8'), /"excluded_requests"/);
  const [bundleFile] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-bundle').click()]);
  const bundle = await readFile(await bundleFile.path(), 'utf8');
  const demo = path.join(dist, 'public', 'demo');
  const expected = execFileSync(
    cli(),
    ['generate', '--format', 'cilium', '--l7', '--decisions', decisions, '--namespace', 'shop',
      path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  assert.ok(expected.includes('path: ^/products/[^/]+$'));
  assert.ok(bundle === expected, 'the browser bundle differs from flowpol generate --format cilium --l7');
  await rm(dir, { recursive: true, force: true });

  // The topology's edge names its top request patterns.
  await byTestId(page, 'tab-topology').click();
  await byTestId(page, 'topology-svg').waitFor();
  const edge = page.locator('[data-testid="topo-edge"][data-from="Deployment/shop/frontend"][data-to="Deployment/shop/catalog"][data-port="3550"]');
  await edge.focus();
  const tooltip = byTestId(page, 'topo-tooltip');
  await expect(tooltip).toContainText('Requests');
  await expect(tooltip).toContainText('GET /products/{id} ×');
  assert.deepEqual(errors, []);
  await context.close();
});
