// Enishi's service worker, served at /sw.js so that its scope is the whole app.
// The server fills in VERSION (a hash of the app shell), SHELL (the URLs to precache, static
// files with their content hash), QR_DECODER (jsQR's URL) and the scripts it imports.
// Rules: the shell is precached per version and old caches are removed on activate; pages a
// member opens (the wallet, the scan page, a kiosk or display link, a 結い's confirmation
// screen) are fetched from the network first and kept as a fallback; API responses are never
// cached; a check-in link opened with no connection gets the scan page, which records the claim
// from the link; anything else offline gets /offline.
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
// The scanner's decoder where the browser cannot read QR codes itself: precached only on such
// a phone, and kept the first time a page loads it (a browser may say it reads QR codes and
// then fail to, see camera.js).
const QR_DECODER = __QR_DECODER__;
const SHELL_CACHE = `enishi-shell-${VERSION}`;
const PAGES_CACHE = "enishi-pages";
const REMEMBERED_PAGES = ["/wallet", "/scan", "/events", "/community", "/community/public"];
// The community page's charts are images of their own (/community/charts/coins.svg?month=...):
// kept with their query, the one the remembered page asks for, so that the page shows its last
// figures offline with its charts.
const CHART_IMAGE = /^\/community\/(public\/)?charts\/[a-z]+\.svg$/;
// A kiosk reloaded at a venue with no signal must still show codes (it carries the display key:
// kept in the pages cache, which logging out deletes). So must a venue tablet's display link; a
// stopped one is dropped from the cache the next time it reaches the server.
const KIOSK_PAGE = /^\/events\/\d+\/display$/;
const DISPLAY_LINK = /^\/display\/[A-Za-z0-9_-]+$/;
// A 結い's confirmation screen: opened with signal before the meeting, it scans with none.
const YUI_CONFIRM = /^\/yui\/threads\/\d+\/confirm$/;

importScripts(__SCRIPTS__);

// Each time the browser starts this worker (for a page, a sync, a push), try to send.
flush();

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      const decoder = (await self.Enishi.readsQrCodes()) ? [] : [QR_DECODER];
      await cache.addAll([...SHELL, ...decoder]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("enishi-shell-") && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
      await flush(); // the worker has started: a chance to send what waits
    })(),
  );
});

self.addEventListener("sync", (event) => {
  if (event.tag === "enishi-outbox") event.waitUntil(flush());
});

self.addEventListener("message", (event) => {
  if (event.data === "flush") event.waitUntil(flush());
  if (event.data === "logout") event.waitUntil(caches.delete(PAGES_CACHE));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/sw.js") return; // never cached
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(request, url));
  } else if (CHART_IMAGE.test(url.pathname)) {
    event.respondWith(chartImage(request, url));
  }
});

/** A chart from the network, kept for when there is none; offline, the one kept. */
async function chartImage(request, url) {
  const key = url.pathname + url.search;
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      await (await caches.open(PAGES_CACHE)).put(key, copy);
    }
    return response;
  } catch (error) {
    const kept = await caches.match(key);
    if (kept) return kept;
    throw error;
  }
}

/** A static file from the shell, else from the network. The QR decoder is kept once fetched.
 * Offline, a page kept from an older version of the app gets the shell's version of its file. */
async function staticFile(request, url) {
  const path = url.pathname + url.search;
  const hit = await caches.match(path);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (path === QR_DECODER && response.ok) {
      await (await caches.open(SHELL_CACHE)).put(path, response.clone());
    }
    return response;
  } catch (error) {
    const older = await caches.match(url.pathname, { ignoreSearch: true });
    if (older) return older;
    throw error;
  }
}

const remembered = (path) =>
  REMEMBERED_PAGES.includes(path) ||
  KIOSK_PAGE.test(path) ||
  DISPLAY_LINK.test(path) ||
  YUI_CONFIRM.test(path);

async function navigate(request, url) {
  try {
    const response = await fetch(request);
    // A check-in link the server cannot answer now (a proxy's 502, say) is kept on the phone.
    if (url.pathname.startsWith("/c/") && response.status >= 500) {
      return (await caches.match("/scan")) || response;
    }
    // On the login page, nobody is logged in on this device any more (logged out here, on
    // another device, or its login card stopped): the pages it kept (the wallet, a kiosk's
    // display key) are forgotten too.
    if (url.pathname === "/login" && response.ok) await caches.delete(PAGES_CACHE);
    // A display link the server says is stopped (410) or unknown (404): its key goes too.
    if (DISPLAY_LINK.test(url.pathname) && (response.status === 410 || response.status === 404)) {
      await (await caches.open(PAGES_CACHE)).delete(url.pathname);
    }
    if (response.ok && !response.redirected && remembered(url.pathname)) {
      const copy = response.clone();
      caches.open(PAGES_CACHE).then((cache) => cache.put(url.pathname, copy));
    }
    return response;
  } catch (error) {
    if (url.pathname.startsWith("/c/")) return (await caches.match("/scan")) || offlinePage();
    const remembered = await caches.match(url.pathname === "/" ? "/wallet" : url.pathname, {
      ignoreSearch: true,
    });
    return remembered || (url.pathname === "/" && (await caches.match("/scan"))) || offlinePage();
  }
}

async function offlinePage() {
  return (await caches.match("/offline")) || new Response("offline", { status: 503 });
}

async function flush() {
  try {
    await self.Enishi.outbox.flush();
  } catch (error) {
    /* nothing to send, or no connection: the next chance will do */
  }
}
