// flowpol's service worker: after one visit the app opens with the network off.
//
// This is a template: tools/service_worker.py (a Trunk post-build hook) writes it into each
// build as sw.js, with the build's files and a version made of their contents in place of the
// two placeholders below. A new release is therefore a new sw.js byte for byte, which the
// browser installs beside the old one: it caches the new files under a new name, and when it
// takes over it deletes the caches of older releases. It takes over when the page asks
// (src/ui/browser/offline.rs: at once when nothing is loaded), else on the next visit.
//
// Cache first for the app's own files, the network untouched for anything else; it never
// requests anything but the files below, all from its own directory.
'use strict';

const VERSION = '__FLOWPOL_VERSION__';
/** The build's files, relative to this script (which sits beside index.html). */
const FILES = __FLOWPOL_FILES__;

const BASE = new URL('./', self.location.href);
/** One deployment's caches: several can share an origin under different paths. */
const PREFIX = `flowpol ${BASE.pathname} `;
const CACHE = PREFIX + VERSION;
const OWN = new Set(FILES);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(FILES.map(async (file) => {
      // Past the browser's HTTP cache: exactly this release's bytes.
      const response = await fetch(new URL(file, BASE), { cache: 'reload' });
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      // A host that redirects (index.html to its folder) would give a response a navigation
      // may not use: keep the body and headers only.
      const kept = response.redirected
        ? new Response(await response.blob(), { status: response.status, headers: response.headers })
        : response;
      await cache.put(new URL(file, BASE), kept);
    }));
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== BASE.origin || !url.pathname.startsWith(BASE.pathname)) return;
  let file;
  try {
    file = decodeURIComponent(url.pathname.slice(BASE.pathname.length));
  } catch {
    return;
  }
  if (file === '' && request.mode === 'navigate') file = 'index.html';
  if (!OWN.has(file)) return;
  event.respondWith((async () => {
    const cached = await (await caches.open(CACHE)).match(new URL(file, BASE));
    return cached ?? fetch(request);
  })());
});
