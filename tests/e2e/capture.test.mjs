// End-to-end tests of what real captures hold, on the demo data: a connection pool opened
// before the capture (no SYN), the API server as a known peer, nodes named among the
// unresolved addresses and mapped all at once.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { artifacts, openApp, byTestId, expect } from './harness.mjs';

const row = (page, direction, peer) =>
  page.locator(`[data-testid="comm-row"][data-direction="${direction}"][data-peer="${peer}"]`);

/** Loads the demo and scopes to the Deployment `namespace/name`, on `tab`. */
async function scopeTo(page, namespace, name, tab) {
  await byTestId(page, 'scope-namespace').selectOption(namespace);
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: `${namespace}/${name} (` }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
  await byTestId(page, tab).click();
}

test('a connection open before the capture, the API server and the nodes, in the review', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await byTestId(page, 'demo-button').click();
    await byTestId(page, 'dataset-summary').waitFor();
    await expect(byTestId(page, 'dataset-summary')).toHaveText(/1 already open when the capture began\./);

    // checkout's pool to redis: no start seen, included like any row, marked.
    await scopeTo(page, 'payments', 'checkout', 'tab-egress');
    const pool = row(page, 'egress', 'Deployment/data/redis');
    await pool.waitFor();
    await expect(pool).toHaveAttribute('data-port', '6379');
    await expect(pool).toHaveAttribute('data-already-open', 'true');
    await expect(pool).toHaveAttribute('data-included', 'true');
    const marker = pool.getByTestId('already-open');
    await expect(marker).toHaveText('open before capture');
    assert.match(await marker.getAttribute('title'), /Already open when the capture began/);
    await page.screenshot({ path: path.join(artifacts, `already-open-${scheme}.png`), fullPage: true });

    // Prometheus calls the API server: one known peer, included by default, an ipBlock.
    await scopeTo(page, 'monitoring', 'prometheus', 'tab-egress');
    const api = row(page, 'egress', 'kube-apiserver');
    await api.waitFor();
    await expect(api).toHaveAttribute('data-port', '6443');
    await expect(api).toHaveAttribute('data-included', 'true');
    await byTestId(page, 'tab-policy').click();
    await page.getByText('cidr: 172.20.0.2/32').waitFor();
    await expect(byTestId(page, 'policy-warnings')).toHaveText(/some CNIs do not apply ipBlock to the API server/);

    // The frontend is probed by the kubelet from the nodes: Node rows, named, excluded, until
    // "Map all nodes".
    await scopeTo(page, 'shop', 'frontend', 'tab-ingress');
    const nodes = page.locator('[data-testid="unresolved-row"][data-class="node"]');
    await nodes.first().waitFor();
    const nodeIp = await nodes.first().getAttribute('data-ip');
    await expect(nodes.first()).toHaveText(/Node node-[abc]/);
    await expect(row(page, 'ingress', nodeIp)).toHaveAttribute('data-included', 'false');
    await expect(byTestId(page, 'node-note')).toHaveText(/kubelet probes/);
    await page.screenshot({ path: path.join(artifacts, `nodes-${scheme}.png`), fullPage: true });
    await byTestId(page, 'map-all-nodes').click();
    await page.locator(`[data-testid="comm-row"][data-direction="ingress"][data-included="true"] >> text=${nodeIp}`).first().waitFor();
    assert.equal(await page.locator('[data-testid="unresolved-row"][data-class="node"]').count(), 0, 'every node now aliased');
    assert.deepEqual(errors, []);
    await context.close();
  }
});
