// End-to-end tests of where a load lands: the busiest workload, on a tab that has rows.
//
// Run: node --test tests/e2e/landing.test.mjs   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fixtures, openApp, byTestId, expect } from './harness.mjs';

// The GKE HTTP capture (hubble-otel, Apache-2.0, see tests/fixtures/real/SOURCE.txt): its
// busiest workload, prometheus, only scrapes others (all its communications are egress).
const HTTP_CAPTURE = 'hubble-otel_basic-sample-348-http-flows.jsonl';

test('a capture whose busiest workload only calls others lands on Egress, with its rows', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'file-input').setInputFiles([path.join(fixtures, HTTP_CAPTURE)]);
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^istio-system\/prometheus \(/);
  await expect(byTestId(page, 'tab-egress')).toHaveAttribute('aria-selected', 'true');
  await expect(byTestId(page, 'tab-ingress')).toHaveAttribute('aria-selected', 'false');
  await expect(page.locator('[data-testid="comm-row"][data-direction="egress"][data-peer="Deployment/istio-system/jaeger"]')).toHaveCount(1);
  // Every target it scrapes (jaeger, kube-dns, node-local-dns, the nodes' exporters).
  const rows = await page.locator('[data-testid="comm-row"][data-direction="egress"]').count();
  assert.ok(rows >= 10, `${rows} egress rows`);
  // Ingress is there to open, and empty.
  await byTestId(page, 'tab-ingress').click();
  await expect(byTestId(page, 'tab-ingress')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid="comm-row"][data-direction="ingress"]')).toHaveCount(0);
  expect(errors).toEqual([]);
  await context.close();
});

test('a workload that both serves and calls still lands on Ingress', async () => {
  const { page, context } = await openApp();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await expect(byTestId(page, 'scope-entity').locator('option:checked')).toHaveText(/^shop\/frontend \(/);
  await expect(byTestId(page, 'tab-ingress')).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('[data-testid="comm-row"][data-direction="ingress"]').first()).toBeVisible();
  await context.close();
});
