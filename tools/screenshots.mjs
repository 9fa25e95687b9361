// The README's two pictures, taken from the built app (dist/) in Debian's headless Chromium on
// the demo data: the review (the Ingress tab of `shop/cart`: workloads included, addresses
// excluded until they get an alias) and the topology (the namespace view of `shop`). Written to docs/images/review.png and
// docs/images/topology.png, light colour scheme.
// Run: trunk build --release && node tools/screenshots.mjs

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDist } from './serve_dist.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const images = path.join(root, 'docs', 'images');
if (!existsSync(path.join(dist, 'index.html'))) throw new Error('no dist/: run trunk build --release first');
await mkdir(images, { recursive: true });

const server = await serveDist(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await byTestId('demo-button').click();
  await byTestId('dataset-summary').waitFor();

  // The review: shop/cart's Ingress rows, down to the end of the table.
  await page.locator('[data-testid="comm-row"]').first().waitFor();
  await byTestId('scope-namespace').selectOption('shop');
  const cart = await byTestId('scope-entity').locator('option', { hasText: 'shop/cart (' }).getAttribute('value');
  await byTestId('scope-entity').selectOption(cart);
  const rows = page.locator('[data-testid="comm-row"][data-direction="ingress"]');
  await page.locator('[data-testid="comm-row"][data-peer="Deployment/shop/frontend"]').waitFor();
  const last = await rows.last().boundingBox();
  const height = Math.ceil(last.y + last.height + 16);
  await page.screenshot({ path: path.join(images, 'review.png'), clip: { x: 0, y: 0, width: 1280, height } });

  // The topology: the namespace view of shop, once every edge is drawn (they come in batches).
  await byTestId('tab-topology').click();
  await byTestId('scope-namespace').selectOption('shop');
  await page.locator('[data-testid="topo-node"][data-entity="Deployment/shop/cart"]').waitFor();
  await page.waitForFunction(() => {
    const count = document.querySelectorAll('[data-testid="topo-edge"]').length;
    const stable = count > 0 && count === window.__lastEdgeCount;
    window.__lastEdgeCount = count;
    return stable;
  }, null, { polling: 300 });
  await page.locator('.fp-topo').screenshot({ path: path.join(images, 'topology.png') });

  if (errors.length) throw new Error(`the page reported errors: ${errors.join('\n')}`);
  console.log(`wrote ${path.join(images, 'review.png')} and ${path.join(images, 'topology.png')}`);
} finally {
  await browser.close();
  server.close();
}
