// End-to-end tests of a capture dropped alone (no inventory), as most people first arrive:
// the review says which kinds were inferred and where a selector admits more than the
// workload, and that workload's policy selects the wider set rather than nothing.
//
// Run: node --test tests/e2e/flows_alone.test.mjs   (after `trunk build --release`)

import { test } from 'node:test';
import path from 'node:path';
import { fixtures, openApp, byTestId, expect } from './harness.mjs';

// The GKE HTTP capture (hubble-otel, Apache-2.0, see tests/fixtures/real/SOURCE.txt).
const HTTP_CAPTURE = 'hubble-otel_basic-sample-348-http-flows.jsonl';

/// Chooses the `kind` entity `namespace/name`.
async function choose(page, namespace, kind, name) {
  await byTestId(page, 'scope-namespace').selectOption(namespace);
  await byTestId(page, 'scope-kind').selectOption(kind);
  const option = byTestId(page, 'scope-entity').locator('option', { hasText: `${namespace}/${name} (` }).first();
  const value = await option.getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
}

test('flows alone: an inferred DaemonSet, a workload selected as its namespace, and its wider policy', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'file-input').setInputFiles([path.join(fixtures, HTTP_CAPTURE)]);
  await byTestId(page, 'dataset-summary').waitFor();

  await choose(page, 'kube-system', 'DaemonSet', 'node-local-dns');
  const notes = byTestId(page, 'selection-notes');
  await expect(notes).toContainText(
    'node-local-dns is a DaemonSet by inference (its 4 pods share a generated name, their labels, and one node each)',
  );

  await choose(page, 'istio-system', 'Deployment', 'jaeger');
  await expect(notes).toContainText(
    'its pods share no label, so it is selected as every pod of namespace istio-system, which also admits Deployment/istio-system/prometheus',
  );

  // Availability first: its policy selects the whole namespace rather than nothing.
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'policy-yaml')).toContainText('podSelector: {}');
  expect(errors).toEqual([]);
  await context.close();
});
