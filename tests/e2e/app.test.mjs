// End-to-end tests of the built app (dist/) in Debian's headless Chromium, driven by
// playwright-core. The app is served from a sub-path on 127.0.0.1 (see harness.mjs), so
// relative URLs are tested too. Screenshots go to tests/e2e/artifacts/.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import path from 'node:path';
import {
  root, fixtures, artifacts, CAPTURE, openApp, byTestId, assertOnlyOwnOrigin, expect,
} from './harness.mjs';

test('the shell loads from a sub-path with every stable hook and no error', async () => {
  const { page, context, requests, errors } = await openApp();
  for (const id of [
    'file-input', 'drop-zone', 'demo-button', 'load-status', 'scope-cluster', 'scope-namespace',
    'scope-kind', 'scope-entity', 'scope-since', 'scope-until', 'tab-ingress', 'tab-egress',
    'tab-topology', 'tab-policy',
  ]) {
    assert.equal(await byTestId(page, id).count(), 1, `missing data-testid=${id}`);
  }
  await expect(page.locator('h1')).toHaveText(/flowpol/);
  await expect(byTestId(page, 'load-status')).toHaveText(/No files loaded yet/);
  await expect(byTestId(page, 'empty-state')).toHaveText(/No flows loaded/);
  await page.screenshot({ path: path.join(artifacts, 'empty-light.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assertOnlyOwnOrigin(requests);
  await context.close();
});

test('the demo button loads the bundled demo data and reports it', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, requests, errors } = await openApp(scheme);
    await byTestId(page, 'demo-button').click();
    const status = byTestId(page, 'load-status');
    // The worker reads both files and sends back the dataset; the file list opens on demand.
    await byTestId(page, 'dataset-summary').waitFor();
    await byTestId(page, 'toggle-files').click();
    const text = await status.innerText();
    assert.match(text, /2 files loaded/);
    assert.match(text, /flows\.jsonl/);
    assert.match(text, /Hubble flows/);
    assert.match(text, /2,000 records · [\d,]+ connection starts · 0 problems/);
    assert.match(text, /inventory\.json/);
    assert.match(text, /Kubernetes inventory/);
    assert.match(text, /\d+ objects · 0 problems/);
    assert.match(text, /demo/);
    assert.match(
      await byTestId(page, 'dataset-summary').innerText(),
      /[\d,]+ connections in \d+ communications between 13 workloads and \d+ unresolved addresses/,
    );
    // With flows loaded and nothing chosen, the review lands on the busiest workload.
    await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop\/frontend \(/);
    await expect(page.locator('[data-testid="comm-row"][data-direction="ingress"]').first()).toBeVisible();
    await byTestId(page, 'scope-namespace').selectOption('shop');
    const cart = await byTestId(page, 'scope-entity').locator('option', { hasText: 'shop/cart (' }).getAttribute('value');
    await byTestId(page, 'scope-entity').selectOption(cart);
    const fromFrontend = page.locator('[data-testid="comm-row"][data-direction="ingress"][data-peer="Deployment/shop/frontend"]');
    await expect(fromFrontend).toHaveAttribute('data-port', '7070');
    await expect(fromFrontend).toHaveAttribute('data-protocol', 'TCP');
    await page.screenshot({ path: path.join(artifacts, `ingress-${scheme}.png`), fullPage: true });
    await byTestId(page, 'tab-egress').click();
    const toRedis = page.locator('[data-testid="comm-row"][data-direction="egress"][data-peer="Deployment/data/redis"]');
    await expect(toRedis).toHaveAttribute('data-port', '6379');
    // No reply ever shows up as a communication on an ephemeral port.
    const ports = await page.locator('[data-testid="comm-row"]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.port)));
    assert.ok(ports.length >= 3, `cart's egress rows: ${ports}`);
    for (const port of ports) {
      assert.ok(port < 32768, `ephemeral port ${port}`);
    }
    await page.screenshot({ path: path.join(artifacts, `demo-${scheme}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    assertOnlyOwnOrigin(requests);
    await context.close();
  }
});

test('a dropped file is read and reported with its size and format', async () => {
  const { page, context, requests } = await openApp();
  const content = await readFile(path.join(fixtures, CAPTURE), 'utf8');
  await page.evaluate(
    ({ content, name }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], name, { type: 'application/x-ndjson' }));
      const zone = document.querySelector('[data-testid="drop-zone"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { content, name: CAPTURE },
  );
  await byTestId(page, 'dataset-summary').waitFor();
  const row = await byTestId(page, 'loaded-file').innerText();
  assert.match(row, new RegExp(CAPTURE.replace(/\./g, '\\.')));
  assert.match(row, /184\.5 KiB/);
  assert.match(row, /Hubble flows/);
  assert.match(row, /dropped/);
  // The hand-checked content of this capture (tests/ingest/real.rs): 129 records, 20 starts,
  // six communications between six workloads, two of them open before the capture began, and
  // seven tunnel packets no other packet gives a direction to.
  assert.match(row, /129 records · 20 connection starts · 0 problems · 7 packets of unknown direction left out/);
  assert.match(
    await byTestId(page, 'dataset-summary').innerText(),
    /8 connections in 6 communications between 6 workloads and 1 unresolved addresses\. 2 already open when the capture began\./,
  );
  assertOnlyOwnOrigin(requests);
  await context.close();
});

test('the file picker takes several files and names the formats it understands', async () => {
  const { page, context } = await openApp();
  await byTestId(page, 'file-input').setInputFiles([
    path.join(fixtures, CAPTURE),
    path.join(fixtures, 'SOURCE.txt'),
  ]);
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'toggle-files').click();
  const text = await byTestId(page, 'load-status').innerText();
  assert.match(text, /Hubble flows/);
  assert.match(text, /SOURCE\.txt/);
  assert.match(text, /unknown format/);
  assert.match(text, /flowpol understands Hubble flows/);
  await page.screenshot({ path: path.join(artifacts, 'picked-light.png'), fullPage: true });
  await context.close();
});

test('a gzip-compressed capture is read like the plain one', async () => {
  const { page, context } = await openApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const gzPath = path.join(dir, 'capture.jsonl.gz');
  await writeFile(gzPath, gzipSync(await readFile(path.join(fixtures, CAPTURE))));
  await byTestId(page, 'file-input').setInputFiles([gzPath]);
  await byTestId(page, 'dataset-summary').waitFor();
  const row = await byTestId(page, 'loaded-file').innerText();
  assert.match(row, /Hubble flows \(gzip\)/);
  assert.match(row, /129 records · 20 connection starts · 0 problems/);
  // The busiest workload of the capture, in scope at once.
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^bookinfo\/productpage-v1 \(/);
  await expect(page.locator('[data-testid="comm-row"][data-peer="Deployment/bookinfo/ratings-v1"]')).toHaveCount(1);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('bad lines are listed with file, line and reason, and the rest is kept', async () => {
  const { page, context } = await openApp();
  const lines = (await readFile(path.join(fixtures, CAPTURE), 'utf8')).split('\n');
  lines.splice(4, 0, '{"flow": {"IP": ');
  lines.splice(10, 0, 'not json at all');
  await byTestId(page, 'file-input').setInputFiles([
    { name: 'broken.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) },
  ]);
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'file-counts')).toHaveText(/131 records · 20 connection starts · 2 problems/);
  const problems = byTestId(page, 'load-problems');
  await problems.locator('summary').click();
  const text = await problems.innerText();
  assert.match(text, /2 problems/);
  assert.match(text, /broken\.jsonl:5: invalid JSON/);
  assert.match(text, /broken\.jsonl:11: invalid JSON/);
  await context.close();
});

test('a large file shows its progress and can be cancelled', async () => {
  const { page, context } = await openApp();
  // About 1.1 GB of flows: several seconds of reading even on a fast machine, so the cancel
  // below lands while the load runs.
  const demo = await readFile(path.join(root, 'public/demo/flows.jsonl'));
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const bigPath = path.join(dir, 'big.jsonl');
  await writeFile(bigPath, Buffer.concat(Array.from({ length: 400 }, () => demo)));
  await byTestId(page, 'file-input').setInputFiles([bigPath]);
  await page.waitForFunction(() => {
    const progress = document.querySelector('[data-testid="load-progress"] progress');
    return progress && Number(progress.value) > 0;
  });
  await page.screenshot({ path: path.join(artifacts, 'progress-light.png'), fullPage: true });
  // Read the progress and press Cancel in one step in the page: nothing can finish between.
  const text = await page.evaluate(() => {
    const progress = document.querySelector('[data-testid="load-progress"]');
    if (!progress) return null;
    const shown = progress.innerText;
    document.querySelector('[data-testid="cancel-load"]').click();
    return shown;
  });
  assert.ok(text !== null, 'the load ended before it could be cancelled');
  assert.match(text, /big\.jsonl/);
  assert.match(text, /[\d.]+ MiB of [\d.]+ GiB · \d+%/);
  assert.match(text, /flows · \d+ MB\/s · \d+ flows\/s/);
  await byTestId(page, 'load-progress').waitFor({ state: 'detached' });
  await expect(byTestId(page, 'load-status')).toContainText('Loading was cancelled');
  await expect(byTestId(page, 'load-status')).toContainText('No files loaded yet');
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('the Content-Security-Policy blocks any connection to another origin', async () => {
  // A second origin that is really there and answers (CORS allowed): without the policy,
  // every one of these requests would reach it.
  const hits = [];
  const other = createServer((request, response) => {
    hits.push(request.url);
    response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'image/gif' });
    response.end();
  });
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
  const elsewhere = `http://127.0.0.1:${other.address().port}`;
  const { page, context, requests } = await openApp();
  const outcome = await page.evaluate(async (target) => {
    const attempts = {};
    try {
      await fetch(`${target}/fetch`);
      attempts.fetch = 'allowed';
    } catch {
      attempts.fetch = 'blocked';
    }
    // A beacon is queued whatever happens to it: whether it arrives is checked below.
    navigator.sendBeacon(`${target}/beacon`, 'x');
    attempts.image = await new Promise((resolve) => {
      const image = new Image();
      image.onload = () => resolve('allowed');
      image.onerror = () => resolve('blocked');
      image.src = `${target}/image`;
    });
    attempts.websocket = await new Promise((resolve) => {
      try {
        const socket = new WebSocket(target.replace('http', 'ws') + '/socket');
        socket.onopen = () => resolve('allowed');
        socket.onerror = () => resolve('blocked');
      } catch {
        resolve('blocked');
      }
    });
    return attempts;
  }, elsewhere);
  assert.deepEqual(outcome, { fetch: 'blocked', image: 'blocked', websocket: 'blocked' });
  // Let anything that slipped through arrive (the network idle), then check nothing did.
  await page.waitForLoadState('networkidle');
  assert.deepEqual(hits, [], 'a request reached the other origin');
  const violations = await page.evaluate(() => window.__cspViolations);
  for (const directive of ['connect-src', 'img-src']) {
    assert.ok(violations.some((v) => v.startsWith(directive)), `${directive}: ${JSON.stringify(violations)}`);
  }
  assertOnlyOwnOrigin(requests.filter((url) => !url.startsWith(elsewhere)));
  await context.close();
  other.closeAllConnections();
  await new Promise((resolve) => other.close(resolve));
});

test('tabs work with the keyboard alone', async () => {
  const { page, context } = await openApp();
  await byTestId(page, 'tab-ingress').focus();
  await page.keyboard.press('ArrowRight');
  await expect(byTestId(page, 'tab-egress')).toHaveAttribute('aria-selected', 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'tab-egress');
  await page.keyboard.press('End');
  await expect(byTestId(page, 'tab-policy')).toHaveAttribute('aria-selected', 'true');
  await expect(byTestId(page, 'empty-state')).toHaveText(/NetworkPolicy/);
  await context.close();
});
