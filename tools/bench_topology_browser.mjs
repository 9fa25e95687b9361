// In-browser cost of the topology, in the built app (dist/) in headless Chromium, on a
// synthetic namespace of 300 Deployments and 2,000 communications (`flowpol demo
// --bench-namespace 300,2000`):
// - opening the Topology tab on the namespace (layout and drawing): the longest task the page
//   ran meanwhile (PerformanceObserver 'longtask', which reports every task over 50 ms) and
//   the time to the next frame;
// - a decision (an edge clicked): time to the edge's new state and the next frame;
// - panning: the frame intervals while the picture is dragged 60 times.
// Run: cargo build --release && trunk build --release && node tools/bench_topology_browser.mjs

import { createRequire } from 'node:module';
import { serveDist } from './serve_dist.mjs';
import { mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const cli = process.env.FLOWPOL_CLI ?? path.join(root, 'target', 'release', 'flowpol');
if (!existsSync(cli)) throw new Error(`no CLI at ${cli}: cargo build --release first`);
const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-topology-bench-'));
execFileSync(cli, ['demo', '--flows', '1', '--bench-namespace', '300,2000', '--out', dir], { stdio: 'ignore' });
const file = path.join(dir, 'bench-namespace.flowpol.jsonl');

const server = await serveDist(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
await byTestId('file-input').setInputFiles(file);
await byTestId('dataset-summary').waitFor();
await byTestId('scope-namespace').selectOption('bench');

const runs = Number(process.argv[2] ?? 5);
const open = [];
for (let i = 0; i < runs; i++) {
  await byTestId('tab-ingress').click();
  const result = await page.evaluate(async () => {
    const tasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask' });
    const start = performance.now();
    document.querySelector('[data-testid="tab-topology"]').click();
    while (!document.querySelector('[data-testid="topo-node"]')) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    const drawn = performance.now();
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    observer.disconnect();
    return {
      drawn: drawn - start,
      longest: Math.max(0, ...tasks),
      tasks: tasks.map((t) => Math.round(t)),
      nodes: document.querySelectorAll('[data-testid="topo-node"]').length,
      edges: document.querySelectorAll('[data-testid="topo-edge"]').length,
    };
  });
  open.push(result);
}

// Every edge drawn (they come in batches) before a decision is timed.
await page.waitForFunction(() => {
  const count = document.querySelectorAll('[data-testid="topo-edge"]').length;
  const stable = count > 0 && count === window.__lastEdgeCount;
  window.__lastEdgeCount = count;
  return stable;
}, null, { polling: 300 });
const edgeCount = await page.locator('[data-testid="topo-edge"]').count();
const toggle = await page.evaluate(async () => {
  const edge = document.querySelector('[data-testid="topo-edge"]');
  const before = edge.dataset.state;
  const start = performance.now();
  edge.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  while (edge.dataset.state === before) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const changed = performance.now();
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return { changed: changed - start, frame: performance.now() - start };
});

// Panning: drag the background and record the frame intervals.
const frame = await byTestId('topology-svg').boundingBox();
await page.evaluate(() => {
  window.__frames = [];
  let last = performance.now();
  const tick = (now) => {
    window.__frames.push(now - last);
    last = now;
    if (window.__frames.length < 400) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
await page.mouse.move(frame.x + 20, frame.y + 20);
await page.mouse.down();
for (let i = 0; i < 60; i++) {
  await page.mouse.move(frame.x + 20 + i * 5, frame.y + 20 + i * 3);
}
await page.mouse.up();
const intervals = await page.evaluate(() => window.__frames.slice(1));
const sorted = (values) => [...values].sort((a, b) => a - b);
const median = (values) => sorted(values)[Math.floor(values.length / 2)];

console.log(`topology, namespace of 300 Deployments and 2,000 communications: ${open[0].nodes} boxes, ${edgeCount} edges (drawn in batches after the boxes)`);
console.log(`open the tab (layout and drawing) to the first boxes on screen: median ${median(open.map((r) => r.drawn)).toFixed(0)} ms (${open.map((r) => r.drawn.toFixed(0)).join(', ')})`);
console.log(`long tasks: ${open.map((r) => r.tasks.join("+")).join(" / ")}`);
console.log(`longest task meanwhile: median ${median(open.map((r) => r.longest)).toFixed(0)} ms (${open.map((r) => r.longest.toFixed(0)).join(', ')})`);
console.log(`an edge clicked: new state after ${toggle.changed.toFixed(1)} ms, next frame ${toggle.frame.toFixed(1)} ms`);
console.log(`panning: frame interval median ${median(intervals).toFixed(1)} ms, 95th percentile ${sorted(intervals)[Math.floor(intervals.length * 0.95)].toFixed(1)} ms over ${intervals.length} frames`);
await browser.close();
server.close();
