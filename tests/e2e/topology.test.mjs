// End-to-end tests of the Topology tab (step 3) on the demo: a picture after one click with no
// entity chosen (the namespaces), the entity view of a workload, a decision turning its edge
// red and dashed and back, an edge click toggling its row and the YAML, the tooltip on hover
// and on keyboard focus, a click on a peer moving the scope, zoom and fit, the exported SVG,
// and screenshots of both views in light and dark.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { artifacts, root, openApp, byTestId, expect } from './harness.mjs';

const edge = (page, from, to, port) =>
  page.locator(`[data-testid="topo-edge"][data-from="${from}"][data-to="${to}"][data-port="${port}"]`);
const node = (page, entity) => page.locator(`[data-testid="topo-node"][data-entity="${entity}"]`);

async function demoTopology(page) {
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'tab-topology').click();
  await byTestId(page, 'topology-svg').waitFor();
}

async function chooseFrontend(page) {
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: 'shop/frontend (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
}

test('with no entity chosen the tab draws every namespace, then the chosen one', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  // The review landed on the busiest workload: its entity view.
  await expect(byTestId(page, 'topo-view-entity')).toHaveAttribute('aria-pressed', 'true');
  await expect(node(page, 'Deployment/shop/frontend').first()).toHaveAttribute('data-role', 'selected');
  // No namespace, no entity: every namespace.
  await byTestId(page, 'scope-namespace').selectOption('');
  await expect(byTestId(page, 'topo-view-namespace')).toHaveAttribute('aria-pressed', 'true');
  await expect(byTestId(page, 'topo-view-entity')).toBeDisabled();
  for (const namespace of ['data', 'default', 'kube-system', 'monitoring', 'payments', 'shop']) {
    await expect(node(page, `namespace/${namespace}`)).toHaveCount(1);
  }
  await expect(byTestId(page, 'topo-legend')).toContainText('not in the policy');
  // Clicking a namespace's box shows that namespace's workloads.
  await node(page, 'namespace/shop').click();
  await expect(byTestId(page, 'scope-namespace')).toHaveValue('shop');
  await expect(node(page, 'Deployment/shop/frontend')).toHaveCount(1);
  await expect(node(page, 'Deployment/shop/frontend')).toHaveAttribute('data-role', 'peer');
  await expect(node(page, 'namespace/payments')).toHaveCount(1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the entity view: a decision turns an edge red and dashed and back, a click on it toggles its row', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  await chooseFrontend(page);
  await expect(byTestId(page, 'topo-view-entity')).toHaveAttribute('aria-pressed', 'true');
  await expect(node(page, 'Deployment/shop/frontend').first()).toHaveAttribute('data-role', 'selected');
  const scrape = edge(page, 'Deployment/monitoring/prometheus', 'Deployment/shop/frontend', '9090');
  await expect(scrape).toHaveAttribute('data-state', 'included');
  await expect(scrape.locator('.fp-topo__line')).toHaveCSS('stroke-dasharray', 'none');
  // Exclude the row in the Ingress table: the edge follows.
  await byTestId(page, 'tab-ingress').click();
  const row = page.locator('[data-testid="comm-row"][data-direction="ingress"][data-peer="Deployment/monitoring/prometheus"]');
  await row.getByTestId('include-toggle').uncheck();
  await byTestId(page, 'tab-topology').click();
  await expect(scrape).toHaveAttribute('data-state', 'excluded');
  await expect(scrape.locator('.fp-topo__line')).toHaveCSS('stroke-dasharray', '6px, 4px');
  const red = await scrape.locator('.fp-topo__line').evaluate((line) => getComputedStyle(line).stroke);
  assert.equal(red, 'rgb(198, 40, 40)');
  // Click the edge: included again, in the table and in the YAML.
  await scrape.click();
  await expect(scrape).toHaveAttribute('data-state', 'included');
  await byTestId(page, 'tab-ingress').click();
  await expect(row).toHaveAttribute('data-included', 'true');
  // And out again by the edge: the policy no longer lets Prometheus in.
  await byTestId(page, 'tab-topology').click();
  await scrape.click();
  await expect(scrape).toHaveAttribute('data-state', 'excluded');
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'policy-yaml')).not.toContainText('app: prometheus');
  await byTestId(page, 'tab-topology').click();
  await scrape.click();
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'policy-yaml')).toContainText('app: prometheus');
  assert.deepEqual(errors, []);
  await context.close();
});

test('hover and keyboard focus show the details; a click on a peer moves the scope', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  await chooseFrontend(page);
  const catalog = node(page, 'Deployment/shop/catalog');
  await catalog.hover();
  const tooltip = byTestId(page, 'topo-tooltip');
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('Deployment catalog');
  await expect(tooltip).toContainText('app=catalog');
  await expect(tooltip).toContainText('shop/catalog');
  await page.mouse.move(5, 5);
  await expect(tooltip).toHaveCount(0);
  // An edge by keyboard: its ports, connections and times.
  await edge(page, 'Deployment/shop/frontend', 'Deployment/shop/catalog', '3550').focus();
  await expect(tooltip).toContainText('TCP/3550');
  await expect(tooltip).toContainText('First seen');
  await page.keyboard.press('Tab');
  // A click on the peer: the scope moves to it.
  await catalog.click();
  await expect(node(page, 'Deployment/shop/catalog').first()).toHaveAttribute('data-role', 'selected');
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop\/catalog \(/);
  await expect(edge(page, 'Deployment/shop/catalog', 'StatefulSet/data/orders-db', '5432')).toHaveCount(1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('zoom, fit and the exported SVG', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  await chooseFrontend(page);
  const scene = page.locator('.fp-topo__scene');
  const scale = async () => Number((await scene.getAttribute('transform')).match(/scale\(([\d.]+)\)/)[1]);
  const fitted = await scale();
  await byTestId(page, 'topo-zoom-in').click();
  await expect.poll(scale).toBeCloseTo(fitted * 1.25, 3);
  await byTestId(page, 'topo-zoom-out').click();
  await byTestId(page, 'topo-zoom-out').click();
  await expect.poll(scale).toBeCloseTo(fitted / 1.25, 3);
  await byTestId(page, 'topo-fit').click();
  await expect.poll(scale).toBeCloseTo(fitted, 3);
  const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'topo-export').click()]);
  assert.equal(download.suggestedFilename(), 'flowpol-topology-entity.svg');
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const file = path.join(dir, 'topology.svg');
  await download.saveAs(file);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
  assert.ok(!text.includes('fp-topo__backdrop'), 'the drag surface is left out');
  assert.match(text, /<style>[^<]*--fp-accent/, 'the styles are inside');
  // It parses as XML (Python's parser, outside the browser) and draws the same nodes, at
  // full size.
  const parsed = JSON.parse(execFileSync('python3', ['-c', `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
nodes = [e for e in root.iter() if e.get('data-testid') == 'topo-node']
scene = [e for e in root.iter() if 'fp-topo__scene' in (e.get('class') or '')]
print(json.dumps({'error': None, 'root': root.tag, 'nodes': len(nodes), 'transform': scene[0].get('transform')}))
`, file], { encoding: 'utf8' }));
  assert.equal(parsed.root, '{http://www.w3.org/2000/svg}svg');
  assert.equal(parsed.error, null);
  assert.equal(parsed.nodes, await page.locator('[data-testid="topo-node"]').count());
  assert.equal(parsed.transform, 'translate(20 20)');
  assert.deepEqual(errors, []);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('screenshots of both views, light and dark', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await demoTopology(page);
    await byTestId(page, 'scope-namespace').selectOption('');
    await expect(node(page, 'namespace/shop')).toHaveCount(1);
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `topology-overview-${scheme}.png`) });
    await byTestId(page, 'scope-namespace').selectOption('shop');
    await expect(node(page, 'Deployment/shop/cart')).toHaveCount(1);
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `topology-namespace-${scheme}.png`) });
    await chooseFrontend(page);
    await expect(node(page, 'Deployment/shop/frontend').first()).toHaveAttribute('data-role', 'selected');
    await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, `topology-entity-${scheme}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

// The tooltip never leaves the canvas: every node and edge of the namespace view, focused by
// keyboard, at a narrow and a wide window.
test('every tooltip lies inside the canvas, whichever box or edge it describes', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  await byTestId(page, 'topo-view-namespace').click();
  await expect(byTestId(page, 'topo-view-namespace')).toHaveAttribute('aria-pressed', 'true');
  const tooltip = byTestId(page, 'topo-tooltip');
  for (const width of [900, 1440]) {
    await page.setViewportSize({ width, height: 800 });
    const items = await page.locator('[data-testid="topo-node"], [data-testid="topo-edge"]').all();
    assert.ok(items.length > 10, `${items.length} items`);
    for (const item of items) {
      await item.focus();
      await expect(tooltip).toBeVisible();
      const [tip, frame] = await Promise.all([tooltip.boundingBox(), page.locator('.fp-topo').boundingBox()]);
      const inside = tip.x >= frame.x - 1 && tip.y >= frame.y - 1
        && tip.x + tip.width <= frame.x + frame.width + 1 && tip.y + tip.height <= frame.y + frame.height + 1;
      assert.ok(inside, `${await item.getAttribute('aria-label')}: ${JSON.stringify({ tip, frame })}`);
    }
  }
  assert.deepEqual(errors, []);
  await context.close();
});

/** The drawn boxes of the picture in its own units: every label with text and every node box. */
const drawnBoxes = (page) => page.evaluate(() => {
  const box = (element, what) => {
    const b = element.getBBox();
    return { what, x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height };
  };
  const labels = [...document.querySelectorAll('[data-testid="topo-edge"] .fp-topo__edge-label')]
    .filter((text) => text.textContent.trim() !== '')
    .map((text) => box(text, `label ${text.textContent} of ${text.closest('g').getAttribute('aria-label')}`));
  const nodes = [...document.querySelectorAll('[data-testid="topo-node"]')]
    .map((node) => box(node.querySelector('rect'), `box ${node.getAttribute('data-entity')}`));
  return { labels, nodes };
});

/** Pairs of a label and a label or box it covers (by more than half a pixel each way). */
function covered({ labels, nodes }) {
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.x, b.x) > 0.5
    && Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y) > 0.5;
  const found = [];
  labels.forEach((label, i) => {
    for (const other of [...labels.slice(i + 1), ...nodes]) {
      if (overlap(label, other)) found.push(`${label.what} over ${other.what}`);
    }
  });
  return found;
}

test('in the browser no edge label covers another label or a box, in either view', async () => {
  const { page, context, errors } = await openApp();
  await demoTopology(page);
  const seen = [];
  const check = async (what) => {
    await byTestId(page, 'topology-svg').waitFor();
    const drawn = await drawnBoxes(page);
    seen.push(drawn.labels.length);
    assert.deepEqual(covered(drawn), [], what);
  };
  await check('demo, every namespace');
  for (const namespace of ['shop', 'payments', 'data']) {
    await byTestId(page, 'scope-namespace').selectOption(namespace);
    await byTestId(page, 'topo-view-namespace').click();
    await expect(node(page, `namespace/${namespace}`)).toHaveCount(0);
    await check(`demo, namespace ${namespace}`);
  }
  await chooseFrontend(page);
  await byTestId(page, 'topo-view-entity').click();
  await expect(node(page, 'Deployment/shop/frontend')).toHaveAttribute('data-role', 'selected');
  await check('demo, the entity view of shop/frontend');
  assert.deepEqual(errors, []);
  await context.close();
  // The hostile capture's namespace view, where labels once stacked (TCP/8443 over UDP/53).
  const hostile = await openApp();
  await byTestId(hostile.page, 'file-input').setInputFiles([
    path.join(root, 'tests/fixtures/hostile/hostile-flows.jsonl'),
    path.join(root, 'tests/fixtures/hostile/hostile-inventory.json'),
  ]);
  await byTestId(hostile.page, 'dataset-summary').waitFor();
  await byTestId(hostile.page, 'tab-topology').click();
  await byTestId(hostile.page, 'scope-namespace').selectOption('shop');
  await byTestId(hostile.page, 'topo-view-namespace').click();
  await byTestId(hostile.page, 'topology-svg').waitFor();
  const drawn = await drawnBoxes(hostile.page);
  seen.push(drawn.labels.length);
  assert.deepEqual(covered(drawn), [], 'hostile, namespace shop');
  await hostile.page.screenshot({ path: path.join(artifacts, 'topology-hostile-labels.png') });
  assert.deepEqual(hostile.errors, []);
  await hostile.context.close();
  assert.ok(seen.every((count) => count > 0), JSON.stringify(seen));
});
