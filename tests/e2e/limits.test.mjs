// The browser's limits, with files made in the page as Blobs and dropped: a 2 GB file, a file
// that is one 500 MB line, 1,000 files at once, and a capture of a million distinct pods. Each
// ends in success or a clear message, never a crashed or frozen tab: a timer in the page
// records the longest the main thread went without answering (its stall) from the drop to the
// review. The stall is a figure, printed and kept in docs/hostile-input.md, not a pass mark:
// on a shared two-core machine it doubles under load (68-85 ms alone, up to twice that beside
// other builds). What fails is a frozen tab: a second without answering, which a user sees as
// a hung page, and which a load done in one task again would reach.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { root, openApp, byTestId, expect } from './harness.mjs';

/** How long without answering makes a tab frozen to its user. */
const FROZEN_MS = 1000;

/** Starts the stall probe: a 20 ms timer whose lateness is the main thread's stall. */
async function startProbe(page) {
  await page.evaluate(() => {
    window.__stall = 0;
    let last = performance.now();
    window.__probe = setInterval(() => {
      const now = performance.now();
      window.__stall = Math.max(window.__stall, now - last - 20);
      last = now;
    }, 20);
  });
}

/** Builds in the page the files `make` returns (a function of `arg` returning File[]). */
async function build(page, make, arg) {
  await page.evaluate(
    ({ source, arg }) => {
      window.__files = new Function('arg', `return (${source})(arg)`)(arg);
    },
    { source: make.toString(), arg },
  );
}

/** Drops the files built before. */
async function drop(page) {
  await page.evaluate(
    () => {
      const files = window.__files;
      delete window.__files;
      const transfer = new DataTransfer();
      for (const file of files) transfer.items.add(file);
      window.__droppedBytes = files.reduce((sum, f) => sum + f.size, 0);
      const zone = document.querySelector('[data-testid="drop-zone"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
  );
}

/** Waits for the review, then reads the probe: the stall and the time taken. */
async function finish(page, what, started) {
  await byTestId(page, 'dataset-summary').waitFor({ timeout: 600_000 });
  // A large review's rows are worked out a task after the summary shows: wait for them, let
  // the page settle, then take the longest stall.
  await expect(byTestId(page, 'comm-preparing')).toHaveCount(0, { timeout: 60_000 });
  // Two frames drawn after the last stage: the page has settled.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const { stall, bytes } = await page.evaluate(() => {
    clearInterval(window.__probe);
    return { stall: window.__stall, bytes: window.__droppedBytes };
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`# ${what}: ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s, longest stall ${stall.toFixed(0)} ms`);
  assert.ok(stall < FROZEN_MS, `${what}: the page froze for ${stall.toFixed(0)} ms`);
  return stall;
}

const demoLines = async () => (await readFile(path.join(root, 'public/demo/flows.jsonl'), 'utf8'));

test('a 2 GB file is read, the page answering throughout', async () => {
  const { page, context, errors } = await openApp();
  const flows = await demoLines();
  await build(page, (text) => {
    const mib = new Blob([text]);
    const parts = Array.from({ length: Math.ceil(2e9 / mib.size) }, () => mib);
    return [new File(parts, 'two-gigabytes.jsonl')];
  }, flows);
  await startProbe(page);
  const started = Date.now();
  await drop(page);
  await finish(page, '2 GB file', started);
  await expect(byTestId(page, 'dataset-summary')).toContainText('between 13 workloads');
  await expect(byTestId(page, 'loaded-file')).toContainText('GiB');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file that is one 500 MB line is reported by its line, the rest read', async () => {
  const { page, context, errors } = await openApp();
  const lines = (await demoLines()).split('\n');
  await build(page, ([first, second]) => {
    const mib = new Blob(['0'.repeat(1 << 20)]);
    const parts = [first, '\n{"flow":{"time":"', ...Array.from({ length: 500 }, () => mib), '"}}\n', second, '\n'];
    return [new File(parts, 'one-line.jsonl')];
  }, [lines[0], lines[1]]);
  await startProbe(page);
  const started = Date.now();
  await drop(page);
  await finish(page, 'one 500 MB line', started);
  await expect(byTestId(page, 'load-problems')).toContainText('1 problem: that line was skipped');
  await byTestId(page, 'load-problems').locator('summary').click();
  await expect(byTestId(page, 'load-problems')).toContainText('one-line.jsonl:2: the record is longer than 16 MiB');
  await expect(byTestId(page, 'dataset-summary')).toContainText('between 2 workloads');
  assert.deepEqual(errors, []);
  await context.close();
});

test('1,000 files dropped at once are all read', async () => {
  const { page, context, errors } = await openApp();
  const lines = (await demoLines()).trimEnd().split('\n');
  await build(page, (lines) => Array.from({ length: 1000 }, (_, i) =>
    new File([lines.slice(i * 2, i * 2 + 2).join('\n') + '\n'], `node-${String(i).padStart(4, '0')}.jsonl`)), lines);
  await startProbe(page);
  const started = Date.now();
  await drop(page);
  await finish(page, '1,000 files', started);
  await expect(byTestId(page, 'dataset-summary')).toContainText('between 13 workloads');
  await expect(byTestId(page, 'load-status')).toContainText('1000 files loaded');
  // The list shows the first 200 by name and counts the others.
  await byTestId(page, 'toggle-files').click();
  await expect(byTestId(page, 'loaded-file')).toHaveCount(200);
  await expect(byTestId(page, 'more-files')).toHaveText('… and 800 more files (all are read)');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a capture of a million distinct pods is read up to the tab\'s limit, which it names', async () => {
  const { page, context, errors } = await openApp();
  await build(page, () => {
    const parts = [];
    const hex = (n, width) => n.toString(36).padStart(width, '0');
    for (let block = 0; block < 100; block++) {
      let text = '';
      for (let i = block * 10000; i < (block + 1) * 10000; i++) {
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const pod = `web-7d9f8c6b5-${hex(i, 5)}`;
        text += `{"flow":{"time":"2026-11-20T09:00:00.${String(i).padStart(9, '0')}Z","verdict":"FORWARDED","IP":{"source":"${ip}","destination":"10.250.0.1"},"l4":{"TCP":{"source_port":40000,"destination_port":8080,"flags":{"SYN":true}}},"source":{"namespace":"shop","labels":["k8s:app=web"],"pod_name":"${pod}"},"destination":{"namespace":"shop","labels":["k8s:app=api"],"pod_name":"api-5c8f7d9b4-abcde"},"traffic_direction":"EGRESS","is_reply":false}}\n`;
      }
      parts.push(text);
    }
    return [new File(parts, 'million-pods.jsonl')];
  });
  await startProbe(page);
  const started = Date.now();
  await drop(page);
  // The worker's result (27 MB of JSON for 50,000 pods) comes in pieces the page takes in
  // one task each, and the review's rows a task after the summary: no task holds the page
  // long (in one go, it was 0.6 s).
  await finish(page, 'a million distinct pods', started);
  // The tab reads 50,000 distinct pods and addresses at most, and says so.
  await expect(byTestId(page, 'dataset-summary')).toContainText('connections');
  // The review lands on the busiest workload, the pods' server: a row per pod read.
  await expect(byTestId(page, 'comm-counts')).toContainText(/49,99\d shown/);
  await expect(page.locator('[data-testid="comm-row"]').first()).toBeVisible();
  await expect(byTestId(page, 'load-problems')).toContainText('problems: those lines were skipped');
  await byTestId(page, 'load-problems').locator('summary').click();
  await expect(byTestId(page, 'load-problems')).toContainText('more than 50000 distinct pods and addresses, the most the browser reads');
  // The entity list holds 1,000 of them, the search narrows it.
  await expect(byTestId(page, 'scope-entity-more')).toHaveText(/… and 49,0\d\d more: narrow them with Search/);
  await byTestId(page, 'scope-search').fill('web-7d9f8c6b5-00012');
  const found = byTestId(page, 'scope-entity').locator('option');
  await expect(found).toHaveCount(2); // "Choose an entity" and the one pod
  await expect(found.nth(1)).toContainText('shop/web-7d9f8c6b5-00012');
  assert.deepEqual(errors, []);
  await context.close();
});
