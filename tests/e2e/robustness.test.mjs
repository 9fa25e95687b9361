// End-to-end tests that nothing is lost and nothing confused: with storage full or turned off
// (a private window) the review works and says its decisions are not kept; a damaged decisions
// file changes nothing and says why; cancelling a load keeps the data loaded before it.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { root, openApp, byTestId, expect } from './harness.mjs';

async function demo(page) {
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
}

/** Excludes the first row shown and waits for the count of decisions to say so. */
async function decideOnce(page) {
  await page.locator('[data-testid="include-toggle"]:not([disabled])').first().click();
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
}

const takeAway = {
  full: () => {
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  },
  'turned off': () => {
    Object.defineProperty(window, 'localStorage', {
      get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
    });
  },
};

for (const [how, beforeLoad] of Object.entries(takeAway)) {
  test(`with storage ${how}, the review works and says decisions are not kept`, async () => {
    const { page, context, errors } = await openApp('light', { beforeLoad });
    await demo(page);
    await expect(byTestId(page, 'decisions-not-kept')).toContainText('Decisions are not kept in this browser');
    await expect(byTestId(page, 'decisions-not-kept')).toContainText('export them to keep them');
    await decideOnce(page);
    await byTestId(page, 'tab-policy').click();
    await expect(byTestId(page, 'policy-yaml')).toContainText('kind: NetworkPolicy');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('with storage, nothing says decisions are not kept', async () => {
  const { page, context } = await openApp();
  await demo(page);
  await decideOnce(page);
  await expect(byTestId(page, 'decisions-not-kept')).toHaveCount(0);
  await context.close();
});

test('a damaged decisions file changes nothing and says why', async () => {
  const { page, context } = await openApp();
  await demo(page);
  await decideOnce(page);
  const yaml = await byTestId(page, 'tab-policy').click().then(() => byTestId(page, 'policy-yaml').innerText());
  await byTestId(page, 'tab-ingress').click();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-decisions-'));
  for (const [name, text, why] of [
    ['cut.json', '{"excluded": [', /cut\.json: decisions: EOF while parsing .* line 1 column \d+; the review is unchanged/],
    ['wrong.json', '{"aliases": 7}', /wrong\.json: decisions: invalid type: integer `7`.* line 1 column \d+; the review is unchanged/],
    ['binary.json', '\u0000\u0001\u0002', /binary\.json: decisions: .* line 1 column 1; the review is unchanged/],
  ]) {
    const file = path.join(dir, name);
    await writeFile(file, text);
    await byTestId(page, 'import-decisions').setInputFiles(file);
    await expect(page.locator('.fp-reviewbar__message--error').last()).toHaveText(why);
    await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  }
  await byTestId(page, 'tab-policy').click();
  assert.equal(await byTestId(page, 'policy-yaml').innerText(), yaml, 'the same policies');
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('cancelling a load keeps the data loaded before it', async () => {
  const { page, context } = await openApp();
  await demo(page);
  const before = await byTestId(page, 'dataset-summary').innerText();
  await decideOnce(page);
  const flows = await readFile(path.join(root, 'public/demo/flows.jsonl'));
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-cancel-'));
  const big = path.join(dir, 'big.jsonl');
  await writeFile(big, Buffer.concat(Array.from({ length: 400 }, () => flows)));
  await byTestId(page, 'file-input').setInputFiles([big]);
  await page.waitForFunction(() => {
    const progress = document.querySelector('[data-testid="load-progress"] progress');
    return progress && Number(progress.value) > 0;
  });
  const cancelled = await page.evaluate(() => {
    const button = document.querySelector('[data-testid="cancel-load"]');
    if (!button) return false;
    button.click();
    return true;
  });
  assert.ok(cancelled, 'the load ended before it could be cancelled');
  await byTestId(page, 'load-progress').waitFor({ state: 'detached' });
  await expect(byTestId(page, 'load-status')).toContainText('Loading was cancelled');
  assert.equal(await byTestId(page, 'dataset-summary').innerText(), before);
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  await expect(page.locator('[data-testid="comm-row"]').first()).toBeVisible();
  await context.close();
  await rm(dir, { recursive: true, force: true });
});
