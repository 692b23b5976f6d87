// The event page's list of check-ins: fetched again every few seconds, so an organiser sees
// each new arrival without reloading. The server renders the list; this only swaps it in.
(() => {
  const section = document.querySelector("[data-activity]");
  if (!section) return;
  const EVERY_MS = 3000;
  let shown = null;

  async function refresh() {
    if (document.visibilityState === "hidden") return;
    try {
      const response = await fetch(section.dataset.activity, { credentials: "same-origin" });
      if (response.redirected) {
        location.reload(); // logged out meanwhile: the page itself shows the login
        return;
      }
      if (!response.ok) return;
      const html = await response.text();
      // Swapped only when something changed, so a screen reader announces only news.
      if (html !== shown) {
        section.innerHTML = html;
        shown = html;
      }
    } catch {
      // Offline for a moment: the list stays as it was until the next try.
    }
  }

  setInterval(refresh, EVERY_MS);
  document.addEventListener("visibilitychange", refresh);
})();
