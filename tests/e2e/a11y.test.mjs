// End-to-end accessibility tests: axe-core finds no violation in the states ux.test.mjs does
// not check (the empty page and each tab's empty state, each tab loaded, the topology's two
// views, the Generated Policy tab; the alias dialog is checked there), in light and dark, and
// on every tab of every entity (and Service) of the demo and the hostile capture; the
// keyboard alone goes through the four steps (load, review, topology, policy); colour is never
// the only signal; `prefers-reduced-motion` stops every transition and animation. Screenshots
// in tests/e2e/artifacts/a11y-*.png.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { artifacts, openApp, byTestId, expect, axeViolations } from './harness.mjs';

const TABS = ['tab-ingress', 'tab-egress', 'tab-topology', 'tab-policy'];

async function demo(page) {
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
}

/** Presses Tab (Shift+Tab with `back`) until the focus is on `selector`; fails after `max`. */
async function tabTo(page, selector, { back = false, max = 400 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  assert.fail(`${max} presses of Tab did not reach ${selector} (focus on ${at})`);
}

const focused = (page) => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);

test('axe-core: the empty page, each tab empty and loaded, both topology views, the policy', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, errors } = await openApp(scheme);
    await page.setViewportSize({ width: 1440, height: 900 });
    const found = {};
    const check = async (state) => {
      const violations = await axeViolations(page);
      if (violations.length) found[state] = violations;
    };
    for (const tab of TABS) {
      await byTestId(page, tab).click();
      await expect(byTestId(page, 'empty-state')).toBeVisible();
      await check(`empty, ${tab}`);
    }
    await page.screenshot({ path: path.join(artifacts, `a11y-empty-${scheme}.png`) });
    await byTestId(page, 'tab-ingress').click();
    await demo(page);
    await check('loaded, tab-ingress');
    await byTestId(page, 'tab-egress').click();
    await page.locator('[data-testid="comm-row"][data-direction="egress"]').first().waitFor();
    await check('loaded, tab-egress');
    await byTestId(page, 'tab-topology').click();
    await byTestId(page, 'topology-svg').waitFor();
    await expect(byTestId(page, 'topo-view-entity')).toHaveAttribute('aria-pressed', 'true');
    await check('topology, entity view');
    await page.screenshot({ path: path.join(artifacts, `a11y-topology-${scheme}.png`) });
    await byTestId(page, 'topo-view-namespace').click();
    await expect(byTestId(page, 'topo-view-namespace')).toHaveAttribute('aria-pressed', 'true');
    await check('topology, namespace view');
    // Its tooltip, shown by keyboard focus.
    await page.locator('[data-testid="topo-edge"]').first().focus();
    await expect(byTestId(page, 'topo-tooltip')).toBeVisible();
    await check('topology, tooltip');
    await byTestId(page, 'tab-policy').click();
    await byTestId(page, 'policy-yaml').waitFor();
    await check('tab-policy');
    await page.screenshot({ path: path.join(artifacts, `a11y-policy-${scheme}.png`) });
    assert.deepEqual(found, {}, `${scheme}: ${JSON.stringify(found, null, 1)}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the keyboard alone goes through the four steps: load, review, topology, policy', async () => {
  const { page, context, errors } = await openApp();
  await page.setViewportSize({ width: 1440, height: 900 });
  // 1. Load: the demo button, by Tab and Enter.
  await tabTo(page, '[data-testid="demo-button"]');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'the focus shows');
  await page.keyboard.press('Enter');
  await byTestId(page, 'dataset-summary').waitFor();
  // 2. Review: the first row's include toggle, by Tab and Space.
  await tabTo(page, '[data-testid="include-toggle"]:not(:disabled)');
  const row = page.locator('[data-testid="comm-row"]', { has: page.locator('[data-testid="include-toggle"]:focus') });
  const peer = await row.getAttribute('data-peer');
  const port = await row.getAttribute('data-port');
  await expect(row).toHaveAttribute('data-included', 'true');
  await page.keyboard.press('Space');
  await expect(row).toHaveAttribute('data-included', 'false');
  await expect(byTestId(page, 'decision-count')).toHaveText('1 decision');
  // 3. Topology: back to the tab bar, the arrow keys to the tab, Tab to the row's edge, which
  // Enter includes and excludes again.
  await tabTo(page, '[role="tab"][aria-selected="true"]', { back: true });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(byTestId(page, 'tab-topology')).toHaveAttribute('aria-selected', 'true');
  await byTestId(page, 'topology-svg').waitFor();
  const edge = `[data-testid="topo-edge"][data-from="${peer}"][data-port="${port}"], [data-testid="topo-edge"][data-to="${peer}"][data-port="${port}"]`;
  await expect(page.locator(edge)).toHaveAttribute('data-state', 'excluded');
  await tabTo(page, edge);
  await expect(byTestId(page, 'topo-tooltip')).toContainText('In the policy');
  await page.keyboard.press('Enter');
  await expect(page.locator(edge)).toHaveAttribute('data-state', 'included');
  await page.keyboard.press('Enter');
  await expect(page.locator(edge)).toHaveAttribute('data-state', 'excluded');
  await page.screenshot({ path: path.join(artifacts, 'a11y-keyboard-topology-light.png') });
  // 4. Policy: the tab, then Download by Tab and Enter.
  await tabTo(page, '[role="tab"][aria-selected="true"]', { back: true });
  await page.keyboard.press('End');
  await expect(byTestId(page, 'tab-policy')).toHaveAttribute('aria-selected', 'true');
  await tabTo(page, '[data-testid="download-policy"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const yaml = await readFile(await download.path(), 'utf8');
  assert.match(yaml, /kind: NetworkPolicy/);
  assert.equal(await focused(page), 'download-policy');
  assert.deepEqual(errors, []);
  await context.close();
});

test('colour is never the only signal: rows, edges, the verifier, file formats', async () => {
  const { page, context, errors } = await openApp();
  await page.setViewportSize({ width: 1440, height: 900 });
  await demo(page);
  // An excluded row: unchecked, and its peer struck through.
  const row = page.locator('[data-testid="comm-row"][data-peer="Deployment/monitoring/prometheus"]');
  await row.getByTestId('include-toggle').uncheck();
  await expect(row.getByTestId('include-toggle')).not.toBeChecked();
  const decoration = await row.locator('.fp-comms__peer').evaluate((cell) => getComputedStyle(cell).textDecorationLine);
  assert.match(decoration, /line-through/);
  // A row decided by a rule says so in words.
  await byTestId(page, 'general-rule-ingress').selectOption('block-all');
  await expect(row.getByTestId('row-reason')).toHaveText('rule: block all');
  await byTestId(page, 'general-rule-ingress').selectOption('per-row');
  // An excluded edge: dashed, and named so.
  await byTestId(page, 'tab-topology').click();
  const edge = page.locator('[data-testid="topo-edge"][data-from="Deployment/monitoring/prometheus"][data-to="Deployment/shop/frontend"]');
  await expect(edge).toHaveAttribute('data-state', 'excluded');
  await expect(edge.locator('.fp-topo__line')).not.toHaveCSS('stroke-dasharray', 'none');
  await expect(edge).toHaveAttribute('aria-label', /, not in the policy$/);
  await expect(edge).toHaveAttribute('aria-pressed', 'false');
  const included = page.locator('[data-testid="topo-edge"][data-state="included"]').first();
  await expect(included).toHaveAttribute('aria-label', /, in the policy$/);
  await expect(included.locator('.fp-topo__line')).toHaveCSS('stroke-dasharray', 'none');
  // Unresolved addresses are drawn dashed, the legend says what each look means.
  const unresolved = page.locator('[data-testid="topo-node"][data-role="unresolved"] rect').first();
  if (await unresolved.count()) await expect(unresolved).not.toHaveCSS('stroke-dasharray', 'none');
  await expect(byTestId(page, 'topo-legend')).toContainText('not in the policy');
  // The page in grey: the picture still tells included from excluded.
  await page.evaluate(() => { document.documentElement.style.filter = 'grayscale(1)'; });
  await page.locator('.fp-topo').screenshot({ path: path.join(artifacts, 'a11y-topology-grey-light.png') });
  await page.evaluate(() => { document.documentElement.style.filter = ''; });
  // The verifier: a mark and a word besides its colour.
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'verify-summary')).toHaveText(/^✓ Verified: /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('prefers-reduced-motion: no transition, animation or smooth scrolling anywhere', async () => {
  const { page, context, errors } = await openApp();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.equal(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches), true);
  const moving = () => page.evaluate(() => {
    const zero = (value) => value.split(',').every((d) => parseFloat(d) === 0);
    const found = [];
    for (const element of [document.documentElement, ...document.querySelectorAll('*')]) {
      for (const pseudo of [null, '::before', '::after']) {
        const style = getComputedStyle(element, pseudo);
        if (!zero(style.transitionDuration) || (style.animationName !== 'none' && !zero(style.animationDuration))) {
          found.push(`${element.tagName}.${element.className?.baseVal ?? element.className}${pseudo ?? ''}`);
        }
      }
    }
    if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') found.push('html: smooth scrolling');
    return found;
  });
  assert.deepEqual(await moving(), []);
  await demo(page);
  for (const tab of TABS) {
    await byTestId(page, tab).click();
    assert.deepEqual(await moving(), [], tab);
  }
  // The topology's zoom jumps to its new scale: no animated zoom.
  await byTestId(page, 'tab-topology').click();
  const scene = page.locator('.fp-topo__scene');
  const before = await scene.getAttribute('transform');
  await byTestId(page, 'topo-zoom-in').click();
  assert.notEqual(await scene.getAttribute('transform'), before);
  assert.deepEqual(await moving(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// Every entity of the demo and of the hostile capture, on every tab: axe-core finds nothing
// (an empty policy's YAML, a row's request patterns opened, a hostile name, each as its own
// state).
test('axe-core on every tab of every entity, the demo and the hostile capture', async () => {
  const hostile = path.resolve(artifacts, '../../fixtures/hostile');
  const captures = {
    demo: null,
    hostile: [path.join(hostile, 'hostile-flows.jsonl'), path.join(hostile, 'hostile-inventory.json')],
  };
  const found = {};
  for (const [name, files] of Object.entries(captures)) {
    const { page, context, errors } = await openApp();
    await page.setViewportSize({ width: 1440, height: 900 });
    if (files) {
      await byTestId(page, 'file-input').setInputFiles(files);
    } else {
      await byTestId(page, 'demo-button').click();
    }
    await byTestId(page, 'dataset-summary').waitFor();
    // Every namespace; every type of entity (Services too), and every entity of each.
    await byTestId(page, 'scope-namespace').selectOption('');
    const kinds = await byTestId(page, 'scope-kind').locator('option').evaluateAll((o) => o.map((x) => x.value));
    let seen = 0;
    for (const kind of kinds) {
      await byTestId(page, 'scope-kind').selectOption(kind);
      const entities = await byTestId(page, 'scope-entity')
        .locator('option:not([disabled])')
        .evaluateAll((options) => options.map((o) => o.value).filter((v) => v !== ''));
      for (const entity of entities) {
        seen += 1;
        await byTestId(page, 'scope-entity').selectOption(entity);
        for (const tab of TABS) {
          await byTestId(page, tab).click();
          await expect(byTestId(page, tab)).toHaveAttribute('aria-selected', 'true');
          if (tab === 'tab-egress' || tab === 'tab-ingress') {
            // Open every row's request patterns, so that they are checked too.
            const closed = page.locator('[data-testid="l7-patterns"]:not([open]) > summary');
            for (let opened = 0; opened < 200 && (await closed.count()) > 0; opened++) {
              await closed.first().click();
            }
          }
          const violations = await axeViolations(page);
          if (violations.length) found[`${name}, ${kind} ${entity}, ${tab}`] = violations;
        }
      }
    }
    assert.ok(seen > 10, `${name}: ${seen} entities walked`);
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(found, {}, JSON.stringify(found, null, 1).slice(0, 4000));
});
