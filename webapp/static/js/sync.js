// Page glue for the outbox: installs the service worker, asks for persistent storage, sends
// queued claims whenever there is a chance (page load, back online, back in view), and keeps
// the "waiting to be sent" count and the send-now button of the page up to date.
(function () {
  const { outbox, api } = self.Enishi;
  const countEls = document.querySelectorAll("[data-outbox-count]");
  const panels = document.querySelectorAll("[data-outbox-panel]");
  const loginEls = document.querySelectorAll("[data-outbox-login]");

  async function render() {
    const queued = await outbox.queued();
    for (const el of countEls) el.textContent = String(queued.length);
    for (const panel of panels) panel.hidden = queued.length === 0;
    const needLogin = queued.some((c) => c.waiting_for_login);
    for (const el of loginEls) el.hidden = !needLogin;
    document.dispatchEvent(new CustomEvent("enishi:outbox", { detail: { queued } }));
  }

  async function send(force) {
    if (!navigator.onLine && !force) return render();
    await outbox.flush({ force });
    await render();
  }

  async function learnEvents() {
    if (!navigator.onLine || !document.body.dataset.loggedIn) return;
    try {
      await outbox.rememberEvents(await api.currentEvents());
    } catch (error) {
      /* offline or logged out: the names we know will do */
    }
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});

  // Logging out forgets the pages this phone keeps for offline use (the wallet, a kiosk).
  for (const form of document.querySelectorAll("form[data-logout]")) {
    form.addEventListener("submit", () => {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("logout");
      }
    });
  }

  for (const button of document.querySelectorAll("[data-outbox-send]")) {
    button.addEventListener("click", () => send(true));
  }
  window.addEventListener("online", () => send(false));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") send(false);
  });
  try {
    const channel = new BroadcastChannel(outbox.CHANNEL);
    channel.onmessage = () => render();
  } catch (error) {
    /* no BroadcastChannel */
  }
  // Retry what is due every few seconds while the page is open (backoff decides what is due).
  setInterval(() => send(false), 5000);

  self.Enishi.sync = { send, render };
  learnEvents().then(() => send(false));
})();
