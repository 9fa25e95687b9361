// End-to-end tests of many files at once through the browser's ingest worker, as people
// collect Hubble logs (one file per node, rotated logs): 4, 8 and 50 files, empty ones and one
// larger than the worker's 16 MiB read buffer. The oracle: the same lines as one file give the
// same dataset.
//
// Run: node --test tests/e2e/   (after `trunk build --release`)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { root, openApp, byTestId } from './harness.mjs';

/** Loads `files` ({name, buffer}) with the file picker; returns the dataset summary. */
async function load(files) {
  const { page, context, errors } = await openApp();
  await byTestId(page, 'file-input').setInputFiles(
    files.map(({ name, buffer }) => ({ name, mimeType: 'application/octet-stream', buffer })),
  );
  await byTestId(page, 'dataset-summary').waitFor({ timeout: 120_000 });
  const summary = await byTestId(page, 'dataset-summary').innerText();
  const rows = await byTestId(page, 'loaded-file').count();
  assert.deepEqual(errors, []);
  await context.close();
  return { summary, rows };
}

/** `lines` cut into `parts` contiguous files named `node-NN.jsonl`. */
function cut(lines, parts) {
  const per = Math.ceil(lines.length / parts);
  return Array.from({ length: parts }, (_, i) => ({
    name: `node-${String(i).padStart(2, '0')}.jsonl`,
    buffer: Buffer.from(lines.slice(i * per, (i + 1) * per).join('\n') + '\n'),
  }));
}

test('4, 8 and 50 files, empty and large, give what one file with the same lines gives', async () => {
  const inventory = { name: 'inventory.json', buffer: await readFile(path.join(root, 'public/demo/inventory.json')) };
  const flows = await readFile(path.join(root, 'public/demo/flows.jsonl'), 'utf8');
  const lines = flows.trimEnd().split('\n');
  // Larger than one read of the worker (16 MiB): the demo lines again, twelve times over.
  const large = Buffer.from(Array.from({ length: 12 }, () => flows).join(''));
  assert.ok(large.length > 16 * 1024 * 1024, `${large.length} bytes`);
  const whole = await load([
    inventory,
    { name: 'all.jsonl', buffer: Buffer.concat([Buffer.from(flows), large]) },
  ]);
  assert.match(whole.summary, /[\d,]+ connections in \d+ communications between 13 workloads/);
  for (const parts of [1, 4, 46]) {
    const files = [inventory, ...cut(lines, parts)];
    // Empty files, as a node without traffic leaves, and the large one last.
    files.splice(1, 0, { name: 'empty-a.jsonl', buffer: Buffer.alloc(0) });
    if (parts > 1) files.push({ name: 'empty-b.jsonl', buffer: Buffer.alloc(0) });
    files.push({ name: 'large.jsonl', buffer: large });
    const many = await load(files);
    assert.equal(many.rows, files.length, `${files.length} files listed`);
    assert.equal(many.summary, whole.summary, `${files.length} files`);
  }
});
