// In-browser ingest throughput: builds dist/ first (trunk build --release), then serves it on
// 127.0.0.1, hands headless Chromium a large Hubble file made by repeating the demo flows,
// and times from the file's hand-over to the dataset's summary.
// Run: node tools/bench_browser.mjs [copies=500]   (500 copies ≈ 1.3 GiB)

import { createRequire } from 'node:module';
import { serveDist } from './serve_dist.mjs';
import { readFile, writeFile, mkdtemp, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const copies = Number(process.argv[2] ?? 500);

const server = await serveDist(dist);

const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-bench-'));
const big = path.join(dir, 'flows.jsonl');
const demo = await readFile(path.join(root, 'public/demo/flows.jsonl'));
const handle = await open(big, 'w');
for (let i = 0; i < copies; i++) await handle.write(demo);
await handle.close();
const bytes = demo.length * copies;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.locator('[data-testid="tab-ingress"]').waitFor();
// The resident memory of Chromium's renderer processes (the tab: its page and its worker)
// and of the others (browser, GPU, utilities), sampled while the file loads.
let peakKiB = 0;
let peakOtherKiB = 0;
const sample = () => {
  try {
    const lines = execFileSync('ps', ['-C', 'chromium', '-o', 'rss=,args=']).toString().split('\n').filter(Boolean);
    for (const line of lines) {
      const rss = Number(line.trim().split(/\s+/)[0]);
      if (line.includes('--type=renderer')) peakKiB = Math.max(peakKiB, rss);
      else peakOtherKiB = Math.max(peakOtherKiB, rss);
    }
  } catch {}
};
const sampler = setInterval(sample, 250);
// When the progress line first and last changed, in the page's clock: the time before the
// first chunk is parsed (worker start), the streaming itself, and the time after the last
// chunk (resolution, hand-over, rendering).
await page.evaluate(() => {
  window.__progress = [];
  new MutationObserver(() => {
    const rate = document.querySelector('.fp-progress__rate');
    if (rate) window.__progress.push([performance.now(), rate.textContent]);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
});
const startedInPage = await page.evaluate(() => performance.now());
const started = Date.now();
await page.locator('[data-testid="file-input"]').setInputFiles([big]);
await page.locator('[data-testid="dataset-summary"]').waitFor({ timeout: 30 * 60 * 1000 });
const seconds = (Date.now() - started) / 1000;
const endedInPage = await page.evaluate(() => performance.now());
const progress = await page.evaluate(() => window.__progress.filter(([, text]) => !text.startsWith('0 flows')));
const phases = progress.length >= 2
  ? `; first chunk parsed after ${((progress[0][0] - startedInPage) / 1000).toFixed(2)} s, streaming ${((progress.at(-1)[0] - progress[0][0]) / 1000).toFixed(2)} s (${progress.length} progress updates), after the last chunk ${((endedInPage - progress.at(-1)[0]) / 1000).toFixed(2)} s`
  : '';
clearInterval(sampler);
const counts = await page.locator('[data-testid="file-counts"]').innerText();
const metrics = await page.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize : null);
console.log(`${(bytes / 2 ** 20).toFixed(0)} MiB (${copies} copies of the demo flows) in ${seconds.toFixed(1)} s: ${(bytes / seconds / 1e6).toFixed(0)} MB/s; ${counts}; page JS heap ${metrics ? (metrics / 2 ** 20).toFixed(0) + ' MiB' : 'n/a'}; tab (renderer) peak ${(peakKiB / 1024).toFixed(0)} MiB resident, largest other Chromium process ${(peakOtherKiB / 1024).toFixed(0)} MiB${phases}`);
await browser.close();
server.close();
await rm(dir, { recursive: true, force: true });
