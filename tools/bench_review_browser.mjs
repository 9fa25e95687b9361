// In-browser cost of the review and of a decision, in the built app (dist/) in headless
// Chromium, on a synthetic namespace of 200 Deployments and 5,000 communications (`flowpol demo
// --bench-namespace 200,5000`; w000 has about a thousand egress rows) and on the demo data:
// - a scope change to w000's Egress tab until its ~1,000 rows are in the DOM;
// - one row's include toggle until the table has changed;
// - on the Generated Policy tab, the DNS option's toggle until the YAML has changed;
// - on the demo data, a scope change from one workload to another.
// Each is timed to the last DOM change and to the next animation frame.
// Run: cargo build && trunk build --release && node tools/bench_review_browser.mjs

import { createRequire } from 'node:module';
import { serveDist } from './serve_dist.mjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

// The most recently built CLI (release or debug).
const cli = ['release', 'debug']
  .map((p) => path.join(root, 'target', p, 'flowpol'))
  .filter(existsSync)
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-policy-bench-'));
execFileSync(cli, ['demo', '--flows', '1', '--bench-namespace', '200,5000', '--out', dir], { stdio: 'ignore' });
const file = path.join(dir, 'bench-namespace.flowpol.jsonl');

const server = await serveDist(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
await byTestId('file-input').setInputFiles(file);
await byTestId('dataset-summary').waitFor();
await byTestId('scope-namespace').selectOption('bench');
const optionValue = async (label) =>
  byTestId('scope-entity').locator('option', { hasText: `${label} (` }).getAttribute('value');
const w000 = await optionValue('bench/w000');
const w001 = await optionValue('bench/w001');
await byTestId('tab-egress').click();

/** Times `action` (run in the page) to the last DOM change and to the next frame, `n` times. */
async function measure(n, action, argument) {
  return page.evaluate(
    async ({ n, action, argument }) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      const afterFrame = async () => {
        await frame();
        await new Promise((resolve) => setTimeout(resolve, 0));
      };
      let lastMutation = 0;
      new MutationObserver(() => {
        lastMutation = performance.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      const run = new Function('i', 'argument', action);
      const results = [];
      for (let i = 0; i < n; i++) {
        await afterFrame();
        lastMutation = 0;
        const start = performance.now();
        run(i, argument);
        await frame();
        const painted = performance.now();
        if (lastMutation === 0) throw new Error('nothing changed');
        results.push({ update: lastMutation - start, frame: painted - start });
      }
      return results;
    },
    { n, action, argument },
  );
}

const selectScope = `
  const select = document.querySelector('[data-testid="scope-entity"]');
  select.value = argument[i % 2];
  select.dispatchEvent(new Event('change', { bubbles: true }));`;
const scope = await measure(10, selectScope, [w000, w001]);
await byTestId('scope-entity').selectOption(w000);
const rows = await page.evaluate(() => {
  // The rows rendered are those in view; the total is in the counts line.
  const text = document.querySelector('[data-testid="comm-counts"]').textContent;
  return Number(text.match(/([\d,]+) shown/)[1].replace(/,/g, ''));
});
// Scroll to the workload rows (the addresses, not includable, sort first).
await page.evaluate(() => {
  const viewport = document.querySelector('.fp-comms__viewport');
  viewport.scrollTop = viewport.scrollHeight;
});
await page.locator('[data-testid="include-toggle"]:not([disabled])').first().waitFor();
const toggle = await measure(20, `
  document.querySelector('[data-testid="include-toggle"]:not([disabled])').click();`);

await byTestId('tab-policy').click();
await byTestId('policy-yaml').waitFor();
const dns = await measure(40, `document.querySelector('[data-testid="dns-toggle"]').click();`);
const idle = await page.evaluate(async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const out = [];
  for (let i = 0; i < 20; i++) {
    await frame();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const start = performance.now();
    await frame();
    out.push(performance.now() - start);
  }
  return out;
});

// The demo data: frontend <-> catalog.
await byTestId('demo-button').click();
await byTestId('scope-namespace').locator('option[value="shop"]').waitFor({ state: 'attached' });
await byTestId('scope-namespace').selectOption('shop');
await byTestId('tab-ingress').click();
const demoScope = await measure(10, selectScope, [await optionValue('shop/frontend'), await optionValue('shop/catalog')]);
// A public storefront reached by 6,431 client addresses (as the storefront of a 1M-flow
// gen_hubble capture): scope changes between it and a quiet workload, Ingress tab.
const clients = path.join(dir, 'clients.flowpol.jsonl');
const clientLines = [];
for (let i = 0; i < 6431; i++) {
  const ip = `198.${18 + (i % 2)}.${Math.floor(i / 250) % 256}.${(i % 250) + 1}`;
  clientLines.push(JSON.stringify({ src: { ip }, dst: { namespace: 'shop', workload: 'Deployment/storefront', labels: { app: 'storefront' } }, port: 8080, protocol: 'TCP', count: 1, time: '2026-11-20T09:00:00Z' }));
}
clientLines.push(JSON.stringify({ src: { namespace: 'shop', workload: 'Deployment/storefront', labels: { app: 'storefront' } }, dst: { namespace: 'shop', workload: 'Deployment/cart', labels: { app: 'cart' } }, port: 7070, protocol: 'TCP', count: 1, time: '2026-11-20T09:00:00Z' }));
await writeFile(clients, clientLines.join('\n') + '\n');
await byTestId('clear-files').click();
await byTestId('file-input').setInputFiles(clients);
await byTestId('dataset-summary').waitFor();
await byTestId('tab-ingress').click();
const crowdScope = await measure(10, selectScope, [await optionValue('shop/storefront'), await optionValue('shop/cart')]);
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`;
};
const report = (label, times) =>
  console.log(`  ${label}: to the last DOM change ${stats(times.map((t) => t.update))}; to the next frame ${stats(times.map((t) => t.frame))}`);
console.log('namespace of 200 Deployments, 5,000 communications:');
report(`scope change to bench/w000's Egress tab (${rows} rows) and back to w001`, scope);
report('one row excluded or included again (w000, Egress)', toggle);
report('the DNS option on the Generated Policy tab (w000)', dns);
console.log('demo data:');
report('scope change between shop/frontend and shop/catalog (Ingress)', demoScope);
console.log(`  one frame with no change (the cadence): ${stats(idle)}`);
console.log('a storefront reached by 6,431 client addresses:');
report('scope change between shop/storefront (6,431 ingress rows) and shop/cart (Ingress)', crowdScope);
await browser.close();
server.close();
await rm(dir, { recursive: true, force: true });
