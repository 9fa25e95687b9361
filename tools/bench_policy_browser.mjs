// In-browser cost of a decision on the Generated Policy tab: loads a synthetic namespace of
// 200 Deployments and 5,000 communications (`flowpol demo --bench-namespace 200,5000`) into
// the built app (dist/) in headless Chromium, opens one workload's policy, and times the DNS
// option's toggle until the YAML element has changed, and until the next animation frame.
// Run: cargo build && trunk build --release && node tools/bench_policy_browser.mjs

import { createRequire } from 'node:module';
import { serveDist } from './serve_dist.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const TOGGLES = 40;

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
const w000 = await byTestId('scope-entity').locator('option', { hasText: 'bench/w000 (' }).getAttribute('value');
await byTestId('scope-entity').selectOption(w000);
await byTestId('tab-policy').click();
await byTestId('policy-yaml').waitFor();

const { results: times, idle } = await page.evaluate(async (toggles) => {
  const yaml = document.querySelector('[data-testid="policy-yaml"]');
  const toggle = document.querySelector('[data-testid="dns-toggle"]');
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const results = [];
  let lastMutation = 0;
  new MutationObserver(() => {
    lastMutation = performance.now();
  }).observe(yaml, { subtree: true, childList: true, characterData: true });
  // Each click lands in a task of its own just after a frame, as a user's click would.
  const afterFrame = async () => {
    await frame();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  for (let i = 0; i < toggles; i++) {
    await afterFrame();
    const before = yaml.textContent;
    lastMutation = 0;
    const start = performance.now();
    toggle.click();
    // Leptos applies the change in microtasks after the click; the observer notes when the
    // last DOM change landed, the next frame when it could be painted.
    await frame();
    const painted = performance.now();
    if (yaml.textContent === before || lastMutation === 0) throw new Error('the YAML did not change');
    results.push({ update: lastMutation - start, frame: painted - start });
  }
  // The same wait for a frame with no click: the frame cadence itself.
  const idle = [];
  for (let i = 0; i < toggles; i++) {
    await afterFrame();
    const start = performance.now();
    await frame();
    idle.push(performance.now() - start);
  }
  return { results, idle };
}, TOGGLES);

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, max ${sorted[sorted.length - 1].toFixed(2)} ms`;
};
console.log(`namespace of 200 Deployments, 5,000 communications; ${TOGGLES} toggles of the DNS option on bench/w000`);
console.log(`  click to updated YAML: ${stats(times.map((t) => t.update))}`);
console.log(`  click to the next animation frame: ${stats(times.map((t) => t.frame))}`);
console.log(`  one frame with no click (the cadence): ${stats(idle)}`);
await browser.close();
server.close();
await rm(dir, { recursive: true, force: true });
