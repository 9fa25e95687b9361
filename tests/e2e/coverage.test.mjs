// End-to-end tests of "is the capture long enough" under the dataset's summary: the demo's
// discovery curve and Chao1 estimate, the same as `flowpol inspect` prints for the same files;
// a capture still finding communications at its end is told to keep capturing; names in the
// warnings are text. Screenshot in tests/e2e/artifacts/coverage-*.png.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { root, artifacts, openApp, byTestId, cli, expect } from './harness.mjs';

/** What `flowpol inspect FILES` prints on a line starting with `prefix`, after it. */
function inspectLine(files, prefix) {
  const out = execFileSync(cli(), ['inspect', ...files], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = out.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `${prefix} in ${out.slice(-600)}`);
  return line.slice(prefix.length);
}

test('the demo shows its discovery curve and estimate, as flowpol inspect prints them', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  const demo = [path.join(root, 'public/demo/flows.jsonl'), path.join(root, 'public/demo/inventory.json')];
  const curve = byTestId(page, 'discovery-curve');
  const numbers = inspectLine(demo, 'discovery: ').split(': ').pop();
  await expect(curve).toHaveAttribute('data-counts', numbers);
  assert.equal((await curve.getAttribute('aria-label')).split(': ').pop(), numbers);
  assert.equal(await curve.locator('rect').count(), 10);
  await expect(byTestId(page, 'capture-estimate')).toHaveText(inspectLine(demo, 'estimate: '));
  // The demo's curve flattens: no "keep capturing".
  await expect(byTestId(page, 'capture-warnings')).toHaveCount(0);
  await byTestId(page, 'load-status').screenshot({ path: path.join(artifacts, 'coverage-demo.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a capture still finding communications at its end is told to keep capturing', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-coverage-'));
  const end = (name) => ({ namespace: 'shop', workload: `Deployment/${name}`, labels: { app: name } });
  const record = (client, server, minute, count) => JSON.stringify({
    src: end(client), dst: end(server), port: 8080, protocol: 'TCP', count,
    time: `2026-11-20T09:${String(minute).padStart(2, '0')}:00Z`,
  });
  const file = path.join(dir, 'rising.jsonl');
  await writeFile(file, [
    record('web', 'api', 0, 12), record('web', 'cart', 10, 1), record('cart', 'db', 30, 1),
    record('api', 'db', 40, 2), record('api', 'cache', 55, 1), record('web', 'search', 59, 1),
  ].join('\n'));
  // An idle pod with a hostile name, and a CronJob that did not fire.
  const hostile = '<img src=x onerror=alert(1)>';
  const inventory = path.join(dir, 'inventory.json');
  await writeFile(inventory, JSON.stringify({
    apiVersion: 'v1', kind: 'List', items: [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: hostile, namespace: 'shop', labels: { app: 'idle' } }, status: { podIP: '10.0.0.9' } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'shop' } },
    ],
  }));
  const { page, context, errors } = await openApp();
  const dialogs = [];
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  await byTestId(page, 'file-input').setInputFiles([file, inventory]);
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'discovery-curve')).toHaveAttribute('data-counts', '1 1 0 0 0 1 1 0 0 2');
  const warnings = byTestId(page, 'capture-warnings');
  await expect(warnings).toContainText('Keep capturing: the last tenth of the capture');
  await expect(warnings).toContainText('still found 2 new communications, and about 3 more are likely unseen');
  await expect(byTestId(page, 'capture-estimate')).toHaveText(inspectLine([file, inventory], 'estimate: '));
  await expect(warnings).toContainText(`written without evidence: Pod/shop/${hostile}`);
  await expect(warnings).toContainText('no policy is written: CronJob/shop/report');
  assert.equal(await page.locator('.fp-coverage img').count(), 0);
  await byTestId(page, 'load-status').screenshot({ path: path.join(artifacts, 'coverage-rising.png') });
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});
