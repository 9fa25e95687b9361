// The shared harness of the end-to-end tests: serves dist/ under a sub-path on 127.0.0.1 and
// opens the app in Debian's headless Chromium (playwright-core), recording every request,
// console error and CSP violation.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(new URL('../../tools/package.json', import.meta.url));
const { chromium } = require('playwright-core');
/** Playwright's retrying assertions (`await expect(locator).toHaveAttribute(...)`). */
export const { expect } = require('@playwright/test');

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const dist = path.join(root, 'dist');
export const fixtures = path.join(root, 'tests/fixtures/real');
export const artifacts = path.join(root, 'tests/e2e/artifacts');
export const SUB_PATH = '/teams/platform/flowpol/';
export const CAPTURE = 'hubble-otel_basic-sample-400-tcp-flows.first129.jsonl';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.svg': 'image/svg+xml',
};

let server;
export let origin;
export let browser;

/**
 * Serves `dir` under SUB_PATH, and nothing else, on 127.0.0.1 and a free port; `seen` (when
 * given) collects every path asked for.
 */
export function serveDir(dir, seen) {
  return new Promise((resolve) => {
    const srv = createServer(async (req, res) => {
      const url = new URL(req.url, 'http://localhost');
      seen?.push(url.pathname);
      if (!url.pathname.startsWith(SUB_PATH)) {
        res.writeHead(404).end();
        return;
      }
      let rel = decodeURIComponent(url.pathname.slice(SUB_PATH.length)) || 'index.html';
      const file = path.join(dir, rel);
      if (!file.startsWith(dir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

before(async () => {
  assert.ok(existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build --release first');
  await mkdir(artifacts, { recursive: true });
  server = await serveDir(dist);
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * Opens the app and records every request, console error and CSP violation.
 * @param {'light'|'dark'} colorScheme
 */
export async function openApp(colorScheme = 'light', { beforeLoad } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A script run in the page before the app (to take storage away, say).
  if (beforeLoad) await page.addInitScript(beforeLoad);
  const requests = [];
  const errors = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(origin + SUB_PATH);
  await page.getByTestId('tab-ingress').waitFor();
  return { page, context, requests, errors };
}

export const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);

/** Loads the demo and scopes to the Deployment `shop/<name>` (frontend by default). */
export async function demoDeployment(page, name = 'frontend') {
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: `shop/${name} (` }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
}

const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page as it is (run through the debugger protocol, which the
 * page's Content-Security-Policy does not govern). */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.help} (${v.nodes[0].target.join(' ')})`);
  });
}

export function assertOnlyOwnOrigin(requests) {
  assert.ok(requests.length > 0);
  for (const url of requests) {
    assert.ok(url.startsWith(origin + SUB_PATH), `request left the app's origin or path: ${url}`);
  }
}


/**
 * The native CLI the tests run: `$FLOWPOL_CLI` (tools/test.sh builds it and sets it), else the
 * debug build, brought up to date first so no stale binary is tested.
 */
let builtCli;
export function cli() {
  if (process.env.FLOWPOL_CLI) return process.env.FLOWPOL_CLI;
  if (!builtCli) {
    execFileSync('cargo', ['build', '--quiet', '--bin', 'flowpol'], { cwd: root, stdio: 'inherit' });
    builtCli = path.join(root, 'target', 'debug', 'flowpol');
  }
  return builtCli;
}
