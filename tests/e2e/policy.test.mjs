// End-to-end tests of the Generated Policy tab: the YAML, the DNS option,
// verification, warnings, Copy, Download, the namespace bundle, and that the browser's
// download is byte-identical to `flowpol generate` on the same files.
//
// Run: node --test tests/e2e/   (after `trunk build --release` and `cargo build`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root, dist, artifacts, cli, openApp, byTestId, assertOnlyOwnOrigin, expect } from './harness.mjs';

/**
 * Loads `files` (the demo when none), scopes to `namespace` (and the `kind` entity whose
 * label starts `entity`) and opens the Generated Policy tab.
 */
async function loadScoped(page, files, namespace, kind, entity) {
  if (files) {
    await byTestId(page, 'file-input').setInputFiles(files);
  } else {
    await byTestId(page, 'demo-button').click();
  }
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption(namespace);
  if (entity) {
    await byTestId(page, 'scope-kind').selectOption(kind);
    const value = await byTestId(page, 'scope-entity')
      .locator('option', { hasText: `${entity} (` })
      .getAttribute('value');
    await byTestId(page, 'scope-entity').selectOption(value);
  }
  await byTestId(page, 'tab-policy').click();
  await byTestId(page, 'policy-yaml').waitFor();
}

async function download(page, testId) {
  const [file] = await Promise.all([page.waitForEvent('download'), byTestId(page, testId).click()]);
  const text = await readFile(await file.path(), 'utf8');
  return { name: file.suggestedFilename(), text };
}

test('the policy of one workload (a CronJob): YAML, verification, DNS option, copy and download', async () => {
  for (const scheme of ['light', 'dark']) {
    const { page, context, requests, errors } = await openApp(scheme);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const cluster = path.join(root, 'tests/fixtures/clusters/cronjob-chain');
    await loadScoped(
      page,
      [path.join(cluster, 'flows.jsonl'), path.join(cluster, 'inventory.json')],
      'data',
      'CronJob',
      'data/report',
    );
    const yaml = () => byTestId(page, 'policy-yaml').textContent();
    const before = await yaml();
    assert.match(before, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    assert.match(before, /name: report-cronjob\n  namespace: data\n/);
    assert.match(before, /policyTypes:\n  - Ingress\n  - Egress\n/);
    assert.match(
      await byTestId(page, 'verify-summary').innerText(),
      /Verified: (all \d+ included communications|the 1 included communication) allowed/,
    );
    // The CronJob never resolves names in this capture: without the option its egress has
    // no port 53 and a warning says so; with it, UDP and TCP 53 to kube-dns appear.
    assert.doesNotMatch(before, /port: 53\n/);
    await expect(byTestId(page, 'policy-warnings')).toHaveText(/may not resolve names/);
    await byTestId(page, 'dns-toggle').check();
    const withDns = await yaml();
    assert.match(withDns, /k8s-app: kube-dns\n    ports:\n    - protocol: TCP\n      port: 53\n    - protocol: UDP\n      port: 53\n/);
    assert.equal(await byTestId(page, 'policy-warnings').count(), 0);
    await page.screenshot({ path: path.join(artifacts, `policy-${scheme}.png`), fullPage: true });

    await byTestId(page, 'copy-policy').click();
    await page.getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), withDns);

    const single = await download(page, 'download-policy');
    assert.equal(single.name, 'report-networkpolicy.yaml');
    assert.equal(single.text, withDns);
    await byTestId(page, 'dns-toggle').uncheck();
    assert.equal(await yaml(), before, 'the option toggles back');
    assert.deepEqual(errors, []);
    assertOnlyOwnOrigin(requests);
    await context.close();
  }
});

test('the namespace bundle is byte-identical to flowpol generate on the same files', async () => {
  const { page, context, errors } = await openApp();
  await loadScoped(page, null, 'shop', 'Deployment', 'shop/frontend');
  const bundle = await download(page, 'download-bundle');
  assert.equal(bundle.name, 'shop-networkpolicies.yaml');
  const demo = path.join(dist, 'public', 'demo');
  const expected = execFileSync(
    cli(),
    ['generate', '--namespace', 'shop', path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  assert.ok(expected.split('\n---\n').length >= 3, 'several policies in shop');
  assert.ok(bundle.text === expected, 'the browser bundle differs from flowpol generate');

  // With the DNS option on both sides, still identical (here every workload of shop already
  // reaches kube-dns on UDP and TCP 53, so the option adds nothing).
  await byTestId(page, 'dns-toggle').check();
  const withDns = await download(page, 'download-bundle');
  const expectedDns = execFileSync(
    cli(),
    ['generate', '--allow-dns', '--namespace', 'shop', path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  assert.ok(withDns.text === expectedDns, 'the DNS option gives the same bundle as --allow-dns');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with no entity chosen the tab shows every policy of the namespace', async () => {
  const { page, context, errors } = await openApp();
  await loadScoped(page, null, 'data');
  const yaml = await byTestId(page, 'policy-yaml').textContent();
  const names = [...yaml.matchAll(/^  name: (.+)$/gm)].map((m) => m[1]);
  assert.ok(names.includes('orders-db-statefulset') && names.includes('redis-deployment'), names.join());
  await expect(page.locator('.fp-policy__title')).toHaveText(/\d+ policies of namespace data/);
  await page.screenshot({ path: path.join(artifacts, 'policy-namespace.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("the cluster's own policies, dropped as YAML, are replayed against the observed traffic", async () => {
  const { page, context, errors } = await openApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const existing = path.join(dir, 'shop-default-deny.yaml');
  await writeFile(
    existing,
    [
      '# The cluster already denies all ingress in shop, except to the frontend from prometheus.',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: default-deny, namespace: shop}',
      'spec: {podSelector: {}, policyTypes: [Ingress]}',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: scrape, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: frontend}}',
      '  ingress:',
      '  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]',
      '    ports: [{port: 9090}]',
      '',
    ].join('\n'),
  );
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'file-input').setInputFiles(existing);
  await expect(byTestId(page, 'load-status')).toContainText('3 files loaded');
  await byTestId(page, 'toggle-files').click();
  await page.getByText('2 policies, to verify the observed traffic against').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'tab-policy').click();
  const summary = byTestId(page, 'existing-policies-summary');
  const text = await summary.innerText();
  assert.match(text, /The cluster's 2 loaded NetworkPolicies: \d+ of \d+ observed communications in scope would be DENIED/);
  assert.match(text, /Deployment\/shop\/frontend -> Deployment\/shop\/catalog TCP\/3550/);
  assert.doesNotMatch(text, /prometheus -> Deployment\/shop\/frontend/, 'the scrape policy allows it');
  // The generated policies are verified on their own, unaffected.
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);
  // Compare with the cluster: the generated policies applied over the two loaded ones, the
  // same verdicts as flowpol diff --current CLUSTER --proposed CLUSTER --proposed GENERATED.
  const compare = byTestId(page, 'cluster-compare');
  await expect(byTestId(page, 'compare-summary')).toContainText(
    "Applied over the cluster's 2 loaded policies, the generated ones would break",
  );
  await expect(compare).toContainText('3 policies added, 0 replaced.');
  const listed = async (testId) => (await byTestId(page, testId).allTextContents())
    .map((item) => item.split(': ')[0].replace(/ (x\d+|\(.*\))$/, ''))
    .sort();
  const [pageBreaks, pageOpens] = [await listed('compare-break'), await listed('compare-open')];
  assert.ok(pageOpens.includes('Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550'), pageOpens.join('\n'));
  const demo = path.join(dist, 'public', 'demo');
  const inputs = [path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')];
  const generated = path.join(dir, 'generated.yaml');
  await writeFile(
    generated,
    execFileSync(cli(), ['generate', '--namespace', 'shop', ...inputs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const run = (args) => {
    try {
      return execFileSync(cli(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (e) {
      assert.equal(e.status, 1, 'diff exits 1 when something would break');
      return e.stdout;
    }
  };
  const report = JSON.parse(run(['diff', '--format', 'json', '--current', existing, '--proposed', existing, '--proposed', generated, ...inputs]));
  const cliRows = (change) => report.communications
    .filter((c) => c.change === change)
    .map((c) => `${c.client} -> ${c.server} ${c.protocol}/${c.port}`)
    .sort();
  assert.deepEqual(pageBreaks, cliRows('would-break'));
  assert.deepEqual(pageOpens, cliRows('would-open'));
  assert.deepEqual(report.policies.added.length, 3);
  await page.screenshot({ path: path.join(artifacts, 'policy-existing.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
  await rm(dir, { recursive: true, force: true });
});

test('the Cilium kind: CiliumNetworkPolicies of the same review, verified, downloaded as flowpol generate --format cilium writes them', async () => {
  const { page, context, errors } = await openApp();
  await loadScoped(page, null, 'shop', 'Deployment', 'shop/frontend');
  await expect(byTestId(page, 'policy-yaml')).toContainText('kind: NetworkPolicy');
  await byTestId(page, 'policy-kind').selectOption('cilium');
  await expect(byTestId(page, 'policy-yaml')).toContainText('kind: CiliumNetworkPolicy');
  await expect(byTestId(page, 'policy-yaml')).toContainText('endpointSelector:');
  await expect(byTestId(page, 'cilium-note')).toContainText('denies by default every direction a policy lists');
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);
  await expect(page.locator('.fp-policy__title')).toHaveText('frontend-ciliumnetworkpolicy.yaml');
  const single = await download(page, 'download-policy');
  assert.equal(single.name, 'frontend-ciliumnetworkpolicy.yaml');
  assert.match(single.text, /^apiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\n/);
  const bundle = await download(page, 'download-bundle');
  assert.equal(bundle.name, 'shop-ciliumnetworkpolicies.yaml');
  const demo = path.join(dist, 'public', 'demo');
  const expected = execFileSync(
    cli(),
    ['generate', '--format', 'cilium', '--namespace', 'shop', path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  assert.ok(expected.includes('kind: CiliumNetworkPolicy'));
  assert.ok(bundle.text === expected, 'the browser bundle differs from flowpol generate --format cilium');
  await page.screenshot({ path: path.join(artifacts, 'policy-cilium.png'), fullPage: true });
  // Back to NetworkPolicy: the same bytes as before.
  await byTestId(page, 'policy-kind').selectOption('kubernetes');
  await expect(byTestId(page, 'policy-yaml')).toContainText('kind: NetworkPolicy');
  await expect(byTestId(page, 'cilium-note')).toHaveCount(0);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the cluster's own CiliumNetworkPolicies, dropped as YAML, are replayed too", async () => {
  const { page, context, errors } = await openApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const existing = path.join(dir, 'shop-cilium.yaml');
  await writeFile(
    existing,
    [
      '# Cilium: the catalog accepts nothing (a listed direction with an empty rule).',
      'apiVersion: cilium.io/v2',
      'kind: CiliumNetworkPolicy',
      'metadata: {name: catalog-closed, namespace: shop}',
      'spec:',
      '  endpointSelector: {matchLabels: {app: catalog}}',
      '  ingress: [{}]',
      '',
    ].join('\n'),
  );
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'file-input').setInputFiles(existing);
  await expect(byTestId(page, 'load-status')).toContainText('3 files loaded');
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'tab-policy').click();
  const summary = byTestId(page, 'existing-policies-summary');
  await expect(summary).toContainText("The cluster's 1 loaded CiliumNetworkPolicies");
  await expect(summary).toContainText(/would be DENIED/);
  await expect(summary).toContainText('Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550');
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('allow by name: the row, the list of names, toFQDNs in the Cilium YAML, byte-identical to flowpol generate --allow-name', async () => {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('payments');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: 'payments/payment-gateway (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
  await byTestId(page, 'tab-egress').click();
  const stripe = page.locator('[data-testid="comm-row"][data-direction="egress"][data-peer="203.0.113.10"]');
  await expect(stripe).toHaveAttribute('data-included', 'false');
  await stripe.getByTestId('row-allow-name').click();
  await expect(stripe).toHaveAttribute('data-included', 'true');
  await expect(stripe.getByTestId('row-reason')).toHaveText('by name');
  await expect(stripe.getByTestId('include-toggle')).toBeEnabled();
  const other = page.locator('[data-testid="comm-row"][data-direction="egress"][data-peer="203.0.113.11"]');
  await expect(other).toHaveAttribute('data-included', 'true');
  const listed = page.locator('[data-testid="allowed-name-row"][data-name="api.stripe.com"]');
  await expect(listed.locator('td').nth(1)).toHaveText('2');
  // A pattern typed by hand; a name that is none is refused with a reason.
  await byTestId(page, 'allowed-name-input').fill('a b');
  await byTestId(page, 'allowed-name-add').click();
  await expect(byTestId(page, 'allowed-names').getByRole('alert')).toContainText('expected a DNS name');
  await byTestId(page, 'allowed-name-input').fill('*.Mailgun.org');
  await byTestId(page, 'allowed-name-add').click();
  await expect(page.locator('[data-testid="allowed-name-row"][data-name="*.mailgun.org"]')).toHaveCount(1);
  await page.locator('[data-testid="allowed-name-row"][data-name="*.mailgun.org"]').getByTestId('allowed-name-delete').click();
  await expect(page.locator('[data-testid="allowed-name-row"]')).toHaveCount(1);
  await page.screenshot({ path: path.join(artifacts, 'policy-allow-by-name.png'), fullPage: true });
  // NetworkPolicy cannot say it, and says so; Cilium does, verified.
  await byTestId(page, 'tab-policy').click();
  await expect(page.locator('.fp-policy')).toContainText('cannot name 203.0.113.10 by its DNS name api.stripe.com');
  await byTestId(page, 'policy-kind').selectOption('cilium');
  await expect(byTestId(page, 'policy-yaml')).toContainText('matchName: api.stripe.com');
  await expect(byTestId(page, 'policy-yaml')).toContainText('matchPattern: "*"');
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);
  const bundle = await download(page, 'download-bundle');
  const demo = path.join(dist, 'public', 'demo');
  const expected = execFileSync(
    cli(),
    ['generate', '--format', 'cilium', '--allow-name', 'api.stripe.com', '--namespace', 'payments', path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  assert.ok(bundle.text === expected, 'the browser bundle differs from flowpol generate --allow-name');
  assert.deepEqual(errors, []);
  await context.close();
});

test("the ipBlock reading: Cilium's by default, Calico's a switch away, and the tab says which", async () => {
  const { page, context, errors } = await openApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-'));
  const existing = path.join(dir, 'catalog-from-pods.yaml');
  await writeFile(
    existing,
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: catalog, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: catalog}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{ipBlock: {cidr: 10.244.0.0/16}}]\n',
  );
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'file-input').setInputFiles(existing);
  await expect(byTestId(page, 'load-status')).toContainText('3 files loaded');
  await loadScoped(page, null, 'shop', 'Deployment', 'shop/catalog');
  const summary = byTestId(page, 'existing-policies-summary');
  await expect(byTestId(page, 'ipblock-reading-note')).toContainText('ipBlock read as Cilium enforces it');
  await expect(summary).toContainText('Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550');
  await byTestId(page, 'ipblock-reading').check();
  await expect(byTestId(page, 'ipblock-reading-note')).toContainText('ipBlock read as Calico enforces it');
  await expect(summary).not.toContainText('Deployment/shop/frontend -> Deployment/shop/catalog TCP/3550');
  await expect(byTestId(page, 'verify-summary')).toHaveText(/Verified/);
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the GitOps tree: the .zip download holds, file for file and byte for byte, what flowpol generate --out-dir writes', async () => {
  const { page, context, errors } = await openApp();
  await loadScoped(page, null, 'shop');
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-tree-'));
  const [file] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'download-tree').click()]);
  assert.equal(file.suggestedFilename(), 'networkpolicies-tree.zip');
  const zip = path.join(dir, 'tree.zip');
  await file.saveAs(zip);
  // The archive's files, read by Python's zipfile (a reader flowpol shares nothing with).
  const fromPage = JSON.parse(execFileSync('python3', ['-c', [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps({i.filename: z.read(i).decode() for i in z.infolist()}))',
  ].join('\n'), zip], { encoding: 'utf8' }));
  const demo = path.join(dist, 'public', 'demo');
  const out = path.join(dir, 'cli');
  execFileSync(cli(), ['generate', '--out-dir', out, path.join(demo, 'flows.jsonl'), path.join(demo, 'inventory.json')], { stdio: 'ignore' });
  const fromCli = JSON.parse(execFileSync('python3', ['-c', [
    'import json, os, sys',
    'root = sys.argv[1]',
    'files = {}',
    'for d, _, names in os.walk(root):',
    '    for n in names:',
    '        p = os.path.join(d, n)',
    '        files[os.path.relpath(p, root)] = open(p).read()',
    'print(json.dumps(files))',
  ].join('\n'), out], { encoding: 'utf8' }));
  assert.ok(Object.keys(fromPage).length > 10, Object.keys(fromPage).join());
  assert.ok('shop/kustomization.yaml' in fromPage && 'kustomization.yaml' in fromPage);
  assert.deepEqual(Object.keys(fromPage).sort(), Object.keys(fromCli).sort());
  for (const name of Object.keys(fromCli)) {
    assert.ok(fromPage[name] === fromCli[name], `${name} differs from flowpol generate --out-dir`);
  }
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the cluster policies loaded, the topology marks the edges the generated policies would break', async () => {
  const { page, context, errors } = await openApp();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowpol-e2e-breaks-'));
  const existing = path.join(dir, 'cluster.yaml');
  // Only the data namespace has a policy: payments' pods are selected by none today.
  await writeFile(existing, [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: default-deny, namespace: data}',
    'spec: {podSelector: {}, policyTypes: [Ingress]}',
    '',
  ].join('\n'));
  await byTestId(page, 'demo-button').click();
  await byTestId(page, 'dataset-summary').waitFor();
  await byTestId(page, 'scope-namespace').selectOption('payments');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const value = await byTestId(page, 'scope-entity').locator('option', { hasText: 'payments/checkout (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(value);
  await byTestId(page, 'tab-topology').click();
  await byTestId(page, 'topology-svg').waitFor();
  const breaking = page.locator('[data-testid="topo-edge"][data-would-break="true"]');
  await expect(page.locator('[data-testid="topo-edge"]').first()).toBeVisible();
  await expect(breaking).toHaveCount(0);
  await byTestId(page, 'file-input').setInputFiles(existing);
  await expect(byTestId(page, 'load-status')).toContainText('3 files loaded');
  // The checkout's mail to an address the review excludes: allowed today, denied by its
  // generated policy once applied.
  const mail = breaking.and(page.locator('[data-port="587"]'));
  await expect(mail).toHaveCount(1);
  await expect(mail).toHaveAttribute('aria-label', /would break: egress of the client: proposed, NetworkPolicy\/payments\/checkout-deployment selects it and does not allow it; today, no policy selects it/);
  await expect(mail).toHaveClass(/fp-topo__edge--breaks/);
  await expect(byTestId(page, 'topo-legend')).toContainText('would break');
  await page.screenshot({ path: path.join(artifacts, 'topology-would-break.png'), fullPage: true });
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a workload in its node\'s network gets no policy, and its clients reach its node', async () => {
  const { page, context, errors } = await openApp();
  const dir = path.join(root, 'tests/fixtures/clusters/host-network-service');
  const files = [path.join(dir, 'flows.jsonl'), path.join(dir, 'inventory.json')];
  await loadScoped(page, files, 'monitoring', 'DaemonSet', 'monitoring/node-exporter');
  await expect(byTestId(page, 'policy-warnings')).toContainText(
    'DaemonSet/monitoring/node-exporter runs with hostNetwork: true: no NetworkPolicy applies to its pods, so none is written for it',
  );
  await expect(byTestId(page, 'policy-yaml')).toHaveText('');
  await expect(page.locator('.fp-policy__title')).toHaveText('No policy written');
  await expect(byTestId(page, 'copy-policy')).toHaveCount(0);
  await expect(byTestId(page, 'download-policy')).toHaveCount(0);
  await page.screenshot({ path: path.join(artifacts, 'policy-host-network.png'), fullPage: true });
  // Its client, through the Service the host-network controller backs: the node's address.
  await byTestId(page, 'scope-namespace').selectOption('shop');
  await byTestId(page, 'scope-kind').selectOption('Deployment');
  const web = await byTestId(page, 'scope-entity').locator('option', { hasText: 'shop/web (' }).getAttribute('value');
  await byTestId(page, 'scope-entity').selectOption(web);
  // Never a podSelector of the controller's pods, which would match nothing at the node.
  await expect(byTestId(page, 'policy-yaml')).not.toContainText('ingress-nginx');
  // Its row to the node's address, once the nodes are mapped (as --map-nodes does).
  await byTestId(page, 'tab-egress').click();
  await byTestId(page, 'map-all-nodes').click();
  await byTestId(page, 'tab-policy').click();
  await expect(byTestId(page, 'policy-yaml')).toContainText('cidr: 172.18.0.3/32');
  await expect(byTestId(page, 'download-policy')).toHaveCount(1);
  await expect(byTestId(page, 'verify-summary')).toContainText('Verified');
  assert.deepEqual(errors, []);
  await context.close();
});
