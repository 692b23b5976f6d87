// The display page: computes the rotating check-in code itself, every 30-second slot, from the
// event's display key (WebCrypto HMAC-SHA256, the same token layout as webapp/checkin/codes.py)
// and draws it as a QR code (the vendored qrcode-generator). It needs no connection once
// loaded, so a venue without signal still shows valid codes. A ring counts down to the next
// code. While online it asks the server how many have checked in every few seconds, and for
// the page again now and then: a new display key (another display link was stopped) or a
// stopped link reloads the page.
(function () {
  const screen = document.querySelector("[data-kiosk]");
  const qrBox = screen.querySelector("[data-qr]");
  const link = screen.querySelector("[data-link]");
  const clockWarning = screen.querySelector("[data-clock-warning]");
  const eventId = Number(screen.dataset.eventId);
  const baseUrl = screen.dataset.baseUrl;
  const slotSeconds = Number(screen.dataset.slotSeconds);
  const label = screen.dataset.label;
  const VERSION = 1;
  const KIND_DISPLAY = 1;
  const MAC_BYTES = 10;
  const CLOCK_TOLERANCE_MS = 20000;
  const CHECK_EVERY_MS = 60000;
  const COUNT_EVERY_MS = 5000;
  const TICK_MS = 250;

  const fromBase64Url = (text) =>
    Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)), (c) =>
      c.charCodeAt(0),
    );
  const toBase64Url = (bytes) =>
    btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  const keyPromise = crypto.subtle.importKey(
    "raw",
    fromBase64Url(screen.dataset.key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );

  async function tokenFor(slot) {
    const header = new Uint8Array(10);
    const view = new DataView(header.buffer);
    view.setUint8(0, VERSION);
    view.setUint8(1, KIND_DISPLAY);
    view.setUint32(2, eventId);
    view.setUint32(6, slot);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await keyPromise, header));
    const token = new Uint8Array(10 + MAC_BYTES);
    token.set(header);
    token.set(mac.subarray(0, MAC_BYTES), 10);
    return toBase64Url(token);
  }

  function qrSvg(text) {
    const qr = self.qrcode(0, "M");
    qr.addData(text);
    qr.make();
    const count = qr.getModuleCount();
    const margin = 4;
    let path = "";
    for (let row = 0; row < count; row += 1) {
      for (let col = 0; col < count; col += 1) {
        if (qr.isDark(row, col)) path += `M${col + margin},${row + margin}h1v1h-1z`;
      }
    }
    const size = count + 2 * margin;
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
    svg.setAttribute("shape-rendering", "crispEdges");
    const background = document.createElementNS(svg.namespaceURI, "rect");
    background.setAttribute("width", size);
    background.setAttribute("height", size);
    background.setAttribute("fill", "#fff");
    const modules = document.createElementNS(svg.namespaceURI, "path");
    modules.setAttribute("d", path);
    modules.setAttribute("fill", "#000");
    svg.append(background, modules);
    return svg;
  }

  // The ring: its circle's stroke is as long as the share of the slot still to run.
  const ring = screen.querySelector("[data-ring]");
  const seconds = screen.querySelector("[data-seconds]");
  const ringLength = Number(ring.getAttribute("stroke-dasharray"));
  function tick() {
    const slotMs = slotSeconds * 1000;
    const leftMs = slotMs - (Date.now() % slotMs);
    ring.setAttribute("stroke-dashoffset", (ringLength * (1 - leftMs / slotMs)).toFixed(2));
    const text = String(Math.ceil(leftMs / 1000));
    if (seconds.textContent !== text) seconds.textContent = text;
  }
  setInterval(tick, TICK_MS);
  tick();

  // How many have checked in. No answer (offline, logged out): the last figure stays.
  const count = screen.querySelector("[data-count]");
  const figures = new Intl.NumberFormat(document.documentElement.lang || undefined);
  async function refreshCount() {
    if (!navigator.onLine || document.visibilityState === "hidden") return;
    try {
      const response = await fetch(screen.dataset.countUrl, { cache: "no-store", redirect: "manual" });
      if (!response.ok) return;
      const text = figures.format((await response.json()).checked_in);
      if (count.textContent !== text) count.textContent = text; // announced only when it changes
    } catch (error) {
      /* no connection after all */
    }
  }
  setInterval(refreshCount, COUNT_EVERY_MS);
  document.addEventListener("visibilitychange", refreshCount);

  let shownSlot = null;
  async function show() {
    const now = Date.now();
    const slot = Math.floor(now / 1000 / slotSeconds);
    if (slot !== shownSlot) {
      const url = `${baseUrl}/c/${await tokenFor(slot)}`;
      qrBox.replaceChildren(qrSvg(url));
      link.textContent = url;
      shownSlot = slot;
    }
    const nextSlotAt = (slot + 1) * slotSeconds * 1000;
    setTimeout(show, Math.max(nextSlotAt - Date.now(), 50));
  }

  // The server accepts the current and the previous slot: a display whose clock is off by more
  // than that shows codes nobody can use. Say so while the page is still online.
  const serverTime = Number(screen.dataset.serverTime);
  if (Math.abs(Date.now() - serverTime) > CLOCK_TOLERANCE_MS) clockWarning.hidden = false;

  const fullscreen = screen.querySelector("[data-fullscreen]");
  if (document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", () => document.documentElement.requestFullscreen());
    document.addEventListener("fullscreenchange", () => {
      fullscreen.hidden = Boolean(document.fullscreenElement);
    });
  }

  // Whether the server still shows this page with this key; if not, reload it (a stopped display
  // link then shows why, and the service worker forgets it). No answer: keep showing codes.
  async function checkKey() {
    if (!navigator.onLine) return;
    try {
      const response = await fetch(location.pathname, { cache: "no-store", redirect: "manual" });
      if (response.status === 404 || response.status === 410) return location.reload();
      if (!response.ok) return; // logged out, a redirect, a server error: keep the key we have
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.querySelector("[data-kiosk]");
      if (fresh && fresh.dataset.key !== screen.dataset.key) location.reload();
    } catch (error) {
      /* no connection after all */
    }
  }
  setInterval(checkKey, CHECK_EVERY_MS);

  // A venue tablet that only ever opens its display link meets the service worker here. Once it
  // is in charge, this page is kept for offline use (by the worker, on the next load, or now).
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register("/sw.js")
      .then(() => navigator.serviceWorker.ready)
      .then(async () => {
        const response = await fetch(location.pathname, { cache: "no-store", redirect: "manual" });
        if (response.ok) await (await caches.open("enishi-pages")).put(location.pathname, response);
      })
      .catch(() => {});
  }

  show();
})();
