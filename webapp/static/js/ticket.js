// A ticket on the member's phone: once the shop confirms it (or it expires), the page shows so.
(() => {
  const section = document.querySelector("[data-ticket]");
  if (!section || section.dataset.state !== "held") return;
  const EVERY_MS = 3000;

  async function check() {
    try {
      const response = await fetch(section.dataset.ticket, { credentials: "same-origin" });
      if (!response.ok) return;
      const { state } = await response.json();
      if (state !== section.dataset.state) location.reload();
    } catch {
      // No signal for a moment: the shop's confirmation shows when it comes back.
    }
  }

  setInterval(check, EVERY_MS);
})();
