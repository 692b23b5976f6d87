// The display page: fetches the next check-in code as each 30-second slot ends, so the QR on
// screen is always the current one. If a fetch fails it keeps trying and says so on screen.
const screen = document.querySelector("[data-code-url]");
const qr = screen.querySelector("[data-qr]");
const link = screen.querySelector("[data-link]");
const status = screen.querySelector("[data-status]");
const RETRY_MS = 3000;

async function refresh() {
  try {
    const response = await fetch(screen.dataset.codeUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const code = await response.json();
    qr.innerHTML = code.svg;
    link.textContent = code.url;
    status.textContent = "";
    setTimeout(refresh, code.refresh_in_ms);
  } catch (error) {
    status.textContent = screen.dataset.offlineText || "…";
    setTimeout(refresh, RETRY_MS);
  }
}

setTimeout(refresh, Number(screen.dataset.refreshIn) || RETRY_MS);

// Full screen hides the browser's bars so the code is as large as the screen allows.
const fullscreen = screen.querySelector("[data-fullscreen]");
if (document.fullscreenEnabled) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", () => document.documentElement.requestFullscreen());
  document.addEventListener("fullscreenchange", () => {
    fullscreen.hidden = Boolean(document.fullscreenElement);
  });
}
