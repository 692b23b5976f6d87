// Page glue for the outbox: installs the service worker, asks for persistent storage, sends
// queued claims whenever there is a chance (page load, back online, back in view), and keeps
// the "waiting to be sent" count and the send-now button of the page up to date.
(function () {
  const { outbox, api } = self.Enishi;
  const countEls = document.querySelectorAll("[data-outbox-count]");
  const panels = document.querySelectorAll("[data-outbox-panel]");
  const loginEls = document.querySelectorAll("[data-outbox-login]");
  const unownedEls = document.querySelectorAll("[data-outbox-unowned]");
  const othersEls = document.querySelectorAll("[data-outbox-others]");

  // Whose claims are whose: this account's, nobody's yet (scanned logged out), another's.
  async function sorted() {
    const [queued, account] = await Promise.all([outbox.queued(), outbox.account()]);
    return {
      queued,
      account,
      unowned: queued.filter((c) => !c.account),
      others: queued.filter((c) => c.account && c.account !== account),
    };
  }

  async function render() {
    const { queued, account, unowned, others } = await sorted();
    for (const el of countEls) el.textContent = String(queued.length);
    for (const panel of panels) panel.hidden = queued.length === 0;
    const needLogin = !account && queued.length > 0;
    for (const el of loginEls) el.hidden = !needLogin;
    for (const el of unownedEls) {
      el.hidden = !account || unowned.length === 0;
      el.querySelector("[data-count]").textContent = String(unowned.length);
    }
    for (const el of othersEls) {
      el.hidden = others.length === 0;
      el.querySelector("[data-count]").textContent = String(others.length);
    }
    document.dispatchEvent(new CustomEvent("enishi:outbox", { detail: { queued } }));
  }

  /** Asks the server who is logged in, so new claims are bound to that account (a page kept
   * for offline use cannot say: it may have been kept for someone else). Resolves to the
   * server's answer (null offline), which the page's first send uses too: one request. */
  async function learnAccount() {
    if (!navigator.onLine) return null;
    try {
      const session = await api.session();
      await outbox.setAccount(session.logged_in ? session.account : null);
      return session;
    } catch (error) {
      return null; /* offline: the account last known stays */
    }
  }
  // A scan made while the answer is on its way waits for it, a few seconds at most.
  const ACCOUNT_WAIT_MS = 4000;
  self.Enishi.accountLearnt = Promise.race([
    learnAccount(),
    new Promise((resolve) => setTimeout(() => resolve(null), ACCOUNT_WAIT_MS)),
  ]);

  async function send(force, session = null) {
    if (!navigator.onLine && !force) return render();
    await outbox.flush({ force, session });
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

  // Logging out forgets the pages this phone keeps for offline use (the wallet, a kiosk), and
  // whose phone it was: a scan after it belongs to nobody until someone logs in and says so.
  for (const form of document.querySelectorAll("form[data-logout]")) {
    form.addEventListener("submit", (event) => {
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage("logout");
      }
      if (form.dataset.forgotten) return;
      event.preventDefault();
      outbox
        .setAccount(null)
        .catch(() => {})
        .then(() => {
          form.dataset.forgotten = "1";
          form.requestSubmit();
        });
    });
  }

  for (const button of document.querySelectorAll("[data-outbox-adopt]")) {
    button.addEventListener("click", async () => {
      await outbox.adopt((await sorted()).unowned.map((c) => c.id));
      await send(true);
    });
  }
  for (const button of document.querySelectorAll("[data-outbox-discard]")) {
    button.addEventListener("click", async () => {
      await outbox.discard((await sorted()).unowned.map((c) => c.id));
      await render();
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
  // The events' names are learnt at once (a scan offline soon after needs them), beside who is
  // logged in; then what waits is sent, with the session just learnt.
  Promise.all([self.Enishi.accountLearnt, learnEvents()]).then(([session]) =>
    send(false, session),
  );
})();
