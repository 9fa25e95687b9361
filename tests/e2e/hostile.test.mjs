// End-to-end tests of hostile strings (tests/fixtures/hostile/, written by
// tools/make_hostile_fixtures.py): names, labels and DNS names holding HTML and SVG markup with
// script and event-handler attributes, quotes, right-to-left and zero-width characters and
// 10,000-character values render as text, never markup, in the tables, the scope lists, the
// file problems, the topology, its tooltip and its exported SVG, and the YAML. Nothing they
// hold runs: no dialog, no `window.__pwned`, no element of theirs in the page. Screenshots of
// each place, light and dark, in tests/e2e/artifacts/hostile-*.png.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { root, artifacts, openApp, byTestId, expect } from './harness.mjs';

const FIXTURES = path.join(root, 'tests/fixtures/hostile');
const XSS = '<img src=x onerror="window.__pwned=1">';
const SVG = '<svg onload="window.__pwned=1"><script>window.__pwned=1</script></svg>';

/** Nothing from the files ran or became an element. */
async function assertInert(page, dialogs) {
  assert.deepEqual(dialogs, []);
  const found = await page.evaluate(() => ({
    pwned: window.__pwned,
    images: document.querySelectorAll('img[src="x"]').length,
    handlers: [...document.querySelectorAll('*')].filter((e) =>
      [...e.attributes].some((a) => a.name === 'onerror' || a.name === 'onload')).length,
    scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
  }));
  assert.deepEqual(found, { pwned: undefined, images: 0, handlers: 0, scripts: 0 });
}

async function loadHostile(colorScheme) {
  const { page, context, errors } = await openApp(colorScheme);
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await byTestId(page, 'file-input').setInputFiles([
    path.join(FIXTURES, 'hostile-flows.jsonl'),
    path.join(FIXTURES, 'hostile-inventory.json'),
  ]);
  await byTestId(page, 'dataset-summary').waitFor();
  return { page, context, errors, dialogs };
}

for (const colorScheme of ['light', 'dark']) {
  test(`hostile names render as text in every place (${colorScheme})`, async () => {
    const { page, context, dialogs } = await loadHostile(colorScheme);
    // The file's problems name their lines.
    await expect(byTestId(page, 'load-status')).toContainText('hostile-flows.jsonl');
    // The scope's list of workloads holds the names as text.
    await byTestId(page, 'scope-namespace').selectOption('shop');
    await byTestId(page, 'scope-kind').selectOption('Pod');
    const options = await byTestId(page, 'scope-entity').locator('option').allInnerTexts();
    assert.ok(options.some((o) => o.includes(XSS)), options.join('\n').slice(0, 400));
    assert.ok(options.some((o) => o.includes('\u202egnp.exe')));
    // The frontend's egress: every hostile server is a row, its name as text.
    await byTestId(page, 'scope-kind').selectOption('Deployment');
    const frontend = await byTestId(page, 'scope-entity').locator('option', { hasText: 'shop/frontend (' }).getAttribute('value');
    await byTestId(page, 'scope-entity').selectOption(frontend);
    await byTestId(page, 'tab-egress').click();
    const table = page.locator('[data-testid="comm-row"]');
    await expect(table.first()).toBeVisible();
    const rows = (await table.allInnerTexts()).join('\n');
    for (const name of [XSS, SVG, 'it\'s "quoted" & <b>bold</b>', 'pay\u200bments\u200d', 'L'.repeat(200)]) {
      assert.ok(rows.includes(name), `${name.slice(0, 40)} in the rows`);
    }
    await page.screenshot({ path: path.join(artifacts, `hostile-table-${colorScheme}.png`) });
    await assertInert(page, dialogs);

    // The topology: boxes with the names as text, the tooltip too, and the exported SVG.
    await byTestId(page, 'tab-topology').click();
    await byTestId(page, 'topology-svg').waitFor();
    const labels = await byTestId(page, 'topology-svg').locator('text').allTextContents();
    assert.ok(labels.join('\n').includes('<img src=x'), labels.join('\n').slice(0, 400));
    const hostileBox = page.locator('[data-testid="topo-node"]').filter({ hasText: '<svg onload' }).first();
    await hostileBox.hover();
    const tooltip = byTestId(page, 'topo-tooltip');
    await expect(tooltip).toBeVisible();
    assert.ok((await tooltip.innerText()).includes('<svg onload="window.__pwned=1">'));
    await page.screenshot({ path: path.join(artifacts, `hostile-topology-${colorScheme}.png`) });
    await assertInert(page, dialogs);
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'topo-export').click()]);
    const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-hostile-'));
    const file = path.join(dir, 'topology.svg');
    await download.saveAs(file);
    const svg = await readFile(file, 'utf8');
    assert.ok(svg.includes('&lt;img src=x onerror=') || svg.includes('&lt;img src=x onerror'), 'escaped in the SVG');
    assert.ok(!svg.includes('<img') && !svg.includes('<script') && !/<svg[^>]*onload/.test(svg), 'no markup of theirs');
    // The exported file is well-formed XML whose text is the names.
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        texts: [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\n'),
      };
    }, svg);
    assert.equal(parsed.error, null);
    assert.ok(parsed.texts.includes('<img src=x'));
    await rm(dir, { recursive: true, force: true });

    // The YAML: names quoted as YAML, shown as text.
    await byTestId(page, 'tab-policy').click();
    await expect(byTestId(page, 'policy-yaml')).toContainText('kind: NetworkPolicy');
    await page.screenshot({ path: path.join(artifacts, `hostile-policy-${colorScheme}.png`) });
    await assertInert(page, dialogs);
    await context.close();
  });
}
