// End-to-end tests of working offline: after one visit the service worker (sw.js, written by
// tools/service_worker.py) has cached exactly the build's files, and with the network off and
// the server gone the app reloads, reads a dropped file (in the ingest worker, cached too),
// loads the demo and writes policies; a new release (a changed index.html and its new sw.js)
// replaces the cache on the next visit. Each test serves its own copy of dist/ under the
// sub-path, so nothing here leaks into the other tests. Screenshots in tests/e2e/artifacts/.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, writeFile, mkdtemp, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import {
  root, dist, fixtures, artifacts, CAPTURE, SUB_PATH, browser, serveDir, byTestId, expect,
} from './harness.mjs';

/** A copy of dist/ served on its own port; `seen` lists every path the server was asked for. */
async function site() {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-offline-'));
  await cp(dist, dir, { recursive: true });
  const seen = [];
  const server = await serveDir(dir, seen);
  const url = `http://127.0.0.1:${server.address().port}${SUB_PATH}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, seen, url, close };
}

/** The files and version the build's service worker caches. */
async function release(dir) {
  const script = await readFile(path.join(dir, 'sw.js'), 'utf8');
  const version = JSON.parse(script.match(/^const VERSION = (".*");$/m)[1]);
  const files = JSON.parse(script.match(/^const FILES = (\[[^\]]*\]);$/m)[1]);
  return { version, files };
}

async function open(url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await byTestId(page, 'tab-ingress').waitFor();
  return { context, page, errors };
}

/** Waits until the service worker controls the page; its caches' names and sizes. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((request) => request.url);
    }
    return out;
  });
}

/** Drops `name` with `content` on the drop zone, as a user would. */
async function drop(page, name, content) {
  await page.evaluate(
    ({ content, name }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], name, { type: 'application/x-ndjson' }));
      const zone = document.querySelector('[data-testid="drop-zone"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    { content, name },
  );
}

test('after one visit the app works with the network off: a dropped file, the demo, the policy', async () => {
  const served = await site();
  const { version, files } = await release(served.dir);
  // Every file of the build but the service worker itself, the ingest worker's among them.
  for (const file of ['index.html', 'worker_loader.js', 'worker.js', 'worker_bg.wasm', 'public/demo/flows.jsonl']) {
    assert.ok(files.includes(file), `${file} is not cached: ${files}`);
  }
  assert.ok(!files.includes('sw.js'));
  const { context, page, errors } = await open(served.url);
  const cached = await controlled(page);
  const name = `flowpol ${SUB_PATH} ${version}`;
  assert.deepEqual(Object.keys(cached), [name]);
  assert.deepEqual(cached[name].sort(), files.map((file) => served.url + file).sort());
  // Nothing but the app's own files was asked for, all under its path.
  for (const asked of served.seen) assert.ok(asked.startsWith(SUB_PATH), asked);

  // The network off: nothing may reach the server (still there, to see whether anything does).
  await context.setOffline(true);
  served.seen.length = 0;
  await page.reload();
  await byTestId(page, 'tab-ingress').waitFor();
  await drop(page, CAPTURE, await readFile(path.join(fixtures, CAPTURE), 'utf8'));
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'loaded-file')).toContainText('129 records · 20 connection starts · 0 problems');
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'policy-yaml')).toContainText('kind: NetworkPolicy');
  await expect(byTestId(page, 'policy-yaml')).toContainText('namespace: bookinfo');
  await page.screenshot({ path: path.join(artifacts, 'offline-policy-light.png') });
  // The bundled demo comes from the cache too, added to the capture (6 workloads and 13).
  await byTestId(page, 'demo-button').click();
  await expect(byTestId(page, 'dataset-summary')).toContainText('between 19 workloads');
  assert.deepEqual(served.seen, [], 'a request reached the server while offline');
  assert.deepEqual(errors, []);
  await context.close();
  await served.close();
});

test('a new release replaces the cache on the next visit', async () => {
  const served = await site();
  const first = await release(served.dir);
  const { context, page, errors } = await open(served.url);
  const before = await controlled(page);
  assert.deepEqual(Object.keys(before), [`flowpol ${SUB_PATH} ${first.version}`]);

  // The next release: another index.html, and its service worker written as a build does.
  const index = path.join(served.dir, 'index.html');
  const html = await readFile(index, 'utf8');
  await writeFile(index, html.replace('<head>', '<head><meta name="flowpol-release" content="next" />'));
  execFileSync('python3', [path.join(root, 'tools/service_worker.py'), served.dir], { stdio: 'pipe' });
  const next = await release(served.dir);
  assert.notEqual(next.version, first.version);
  assert.deepEqual(next.files, first.files);

  // The next visit: the new worker installs, takes over (nothing is loaded), deletes the old
  // cache and the page reloads into the new release.
  await page.reload();
  const shown = () => page.evaluate(() => document.querySelector('meta[name="flowpol-release"]')?.content ?? null)
    .catch(() => null);
  await expect.poll(shown, { timeout: 30_000 }).toBe('next');
  await byTestId(page, 'tab-ingress').waitFor();
  await expect.poll(async () => Object.keys(await controlled(page)), { timeout: 10_000 })
    .toEqual([`flowpol ${SUB_PATH} ${next.version}`]);
  // And offline, the new release.
  await context.setOffline(true);
  await served.close();
  await page.reload();
  await byTestId(page, 'tab-ingress').waitFor();
  assert.equal(await shown(), 'next');
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new release waits while files are loaded, and takes over on the next visit', async () => {
  const served = await site();
  const first = await release(served.dir);
  const { context, page, errors } = await open(served.url);
  await controlled(page);
  await page.reload();
  await byTestId(page, 'tab-ingress').waitFor();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  const index = path.join(served.dir, 'index.html');
  await writeFile(index, (await readFile(index, 'utf8')).replace('<head>', '<head><meta name="flowpol-release" content="next" />'));
  execFileSync('python3', [path.join(root, 'tools/service_worker.py'), served.dir], { stdio: 'pipe' });
  const next = await release(served.dir);
  // The page checks for a new release (as a browser does on each visit): it installs and waits.
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
  await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration()).waiting !== null);
  // The loaded files are still there, from the old release, whose cache is kept for it.
  await expect(byTestId(page, 'dataset-summary')).toBeVisible();
  const keys = await page.evaluate(() => caches.keys());
  assert.ok(keys.includes(`flowpol ${SUB_PATH} ${first.version}`), JSON.stringify(keys));
  await page.close();
  // The old release's last page is gone: the new worker takes over. Watched from a page of
  // the same origin outside the worker's scope (not a client it waits for): until nothing waits.
  const watcher = await context.newPage();
  const outside = new URL('/watch.html', served.url).href;
  await watcher.route(outside, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>watch</title>' }));
  await watcher.goto(outside);
  await watcher.waitForFunction(async (scope) => {
    const registration = await navigator.serviceWorker.getRegistration(scope);
    return registration.waiting === null && registration.active?.state === 'activated';
  }, served.url, { timeout: 30_000 });
  await watcher.close();
  // The next visit: the new release.
  const again = await context.newPage();
  again.on('pageerror', (error) => errors.push(String(error)));
  await again.goto(served.url);
  await byTestId(again, 'tab-ingress').waitFor();
  assert.equal(await again.evaluate(() => document.querySelector('meta[name="flowpol-release"]')?.content), 'next');
  await expect.poll(() => again.evaluate(() => caches.keys()), { timeout: 10_000 })
    .toEqual([`flowpol ${SUB_PATH} ${next.version}`]);
  assert.deepEqual(errors, []);
  await context.close();
  await served.close();
});
