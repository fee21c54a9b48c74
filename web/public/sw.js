/* global self, caches, fetch, Request, URL */
// The demo's service worker: it keeps the app shell (pages, scripts, the wasm module) so the
// demo reloads without a network. Deal data never goes through here: it lives in IndexedDB and
// syncs over the WebSocket. Network first, so a deploy is picked up as soon as it is reachable.
const CACHE = "dealflow-shell-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(self.clients.claim()),
);

function cacheable(request) {
  const url = new URL(request.url);
  return (
    request.method === "GET" &&
    url.origin === self.location.origin &&
    !url.pathname.startsWith("/api/") &&
    url.pathname !== "/sync"
  );
}

// The page lists what it loaded before this worker took control, so the first visit is
// enough to reload offline.
self.addEventListener("message", (event) => {
  const urls = event.data?.cache;
  if (!Array.isArray(urls)) return;
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        urls
          .map((url) => new Request(url))
          .filter(cacheable)
          .map((request) => cache.add(request).catch(() => undefined)),
      ),
    ),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!cacheable(request)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(request, response.clone());
        return response;
      } catch (error) {
        const cached = await cache.match(request, { ignoreSearch: true });
        if (cached !== undefined) return cached;
        throw error;
      }
    })(),
  );
});
