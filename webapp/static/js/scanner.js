// The scan page: reads an event's QR code with the camera (the browser's BarcodeDetector where
// it has one, the vendored jsQR elsewhere) or from a typed code, and records the claim in the
// outbox at once, with or without signal. Opened as /c/<token> (the phone's camera app, served
// by the service worker when offline), it records that code the same way. A check-in, or a scan
// kept on the phone, is shown as the success screen (templates/checkin/_success.html); a
// duplicate or a refusal as a plain message under the camera.
(function () {
  const { outbox, sync } = self.Enishi;
  const root = document.querySelector("[data-scanner]");
  const text = JSON.parse(document.getElementById("scan-text").textContent);
  const status = root.querySelector("[data-scan-status]");
  const resultsList = root.querySelector("[data-results]");
  const typed = root.querySelector("[data-typed]");
  const wordForm = root.querySelector("[data-word]");
  const scanView = root.querySelector("[data-scan-view]");
  const success = root.querySelector("[data-success]");
  const part = (name) => success.querySelector(`[data-success-${name}]`);
  let lastClaim = null;

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  /** A printed poster's code may need the secret word the organiser says: ask for it. */
  function askForWord() {
    hideSuccess(); // the word is asked under the camera
    return new Promise((resolve) => {
      wordForm.hidden = false;
      const input = wordForm.querySelector("input");
      input.value = "";
      input.focus();
      say(text.word_asked, "wait");
      wordForm.onsubmit = (event) => {
        event.preventDefault();
        wordForm.hidden = true;
        resolve(input.value.trim());
      };
    });
  }

  async function handle(code) {
    let claim;
    try {
      const word = outbox.isPrinted(code) ? await askForWord() : null;
      claim = await outbox.record(code, word);
    } catch (error) {
      say(text.not_a_code, "bad");
      return;
    }
    lastClaim = claim;
    const name = claim.event_title ? `${claim.event_title}: ` : "";
    say(name + text.recorded, "wait");
    await renderResults();
    if (navigator.onLine) await sync.send(true);
    await showAnswer();
  }

  /** A late claim the organiser has yet to look at (held, or sent again while held). */
  const waits = (answer) => answer.reason === "awaiting_approval";

  /** Replaces "recorded" by the server's answer to the latest claim, once there is one. */
  async function showAnswer() {
    if (!lastClaim) return;
    const answer = (await outbox.results()).find((r) => r.id === lastClaim.id);
    if (!answer) {
      showSuccess(lastClaim, null); // still on the phone: "recorded", and when it goes
      return;
    }
    lastClaim = null;
    const name = answer.event_title ? `${answer.event_title}: ` : "";
    if (answer.status === "accepted" && !waits(answer)) {
      say(name + text.accepted, "good");
      showSuccess(answer, answer);
      return;
    }
    if (hideSuccess()) camera.wait(); // it rested under the success screen: a tap wakes it
    if (waits(answer)) say(name + answer.message, "info");
    else if (answer.status === "duplicate") say(name + text.duplicate, "good");
    else say(name + (answer.message || text.rejected), "bad");
  }

  // The coins as members read them (webapp/core/i18n.py `coins`): 「+10 えんコイン」.
  const coinFigure = (n) => `+${n.toLocaleString(document.documentElement.lang)} ${text.coin_name}`;

  /**
   * The success screen for `claim`: checked in, with what it brings (`answer`, the server's), or
   * recorded on the phone (no answer yet), claiming no coins until the server has accepted it.
   */
  function showSuccess(claim, answer) {
    const award = answer && answer.award;
    part("title").textContent = answer ? text.success_accepted : text.success_recorded;
    part("event").textContent = claim.event_title || text.unknown_event;
    part("coins").hidden = !(award && award.state === "paid");
    part("coins").textContent = award && award.state === "paid" ? coinFigure(award.coins) : "";
    const loggedOut = !answer && !claim.account;
    if (answer) part("note").textContent = award ? award.message : "";
    else part("note").textContent = loggedOut ? text.sent_after_login : text.sent_when_online;
    part("wallet").hidden = loggedOut;
    part("login").hidden = !loggedOut;
    // 「主催者にありがとう」 once the server has accepted it: thanks are given online.
    const thanks = part("thanks");
    thanks.hidden = !(answer && claim.event_id);
    if (!thanks.hidden) thanks.href = thanks.dataset.thanksUrl.replace("EVENT_ID", String(claim.event_id));
    success.dataset.state = answer ? "accepted" : "recorded";
    showBadge(claim.event_id, claim.event_title);
    if (!success.hidden) return;
    camera.stop();
    scanView.hidden = true;
    success.hidden = false;
    success.focus({ preventScroll: true }); // read out at once
    success.scrollIntoView({ block: "start" }); // and seen whole, up to the coins
  }

  /** The event's badge artwork; its outline until the picture has come (never, offline). */
  function showBadge(eventId, title) {
    const image = part("badge");
    const src = eventId ? success.dataset.badgeUrl.replace("EVENT_ID", String(eventId)) : "";
    if (src && image.dataset.shown === src) return;
    if (src && image.dataset.asked === src && !navigator.onLine) return; // it cannot come yet
    image.dataset.asked = src;
    image.hidden = true;
    part("placeholder").hidden = false;
    if (!src) return;
    image.alt = text.badge_alt.replace("%(title)s", title || text.unknown_event);
    image.onload = () => {
      image.dataset.shown = src;
      image.hidden = false;
      part("placeholder").hidden = true;
    };
    image.src = src; // again after a failure: the signal may be back
  }

  /** Back to the camera; whether the success screen was up. */
  function hideSuccess() {
    if (success.hidden) return false;
    success.hidden = true;
    scanView.hidden = false;
    return true;
  }

  part("again").addEventListener("click", () => {
    hideSuccess();
    camera.start();
    window.scrollTo(0, 0);
  });

  async function renderResults() {
    const [queued, results] = await Promise.all([outbox.queued(), outbox.results()]);
    const rows = [
      ...queued.map((c) => ({ title: c.event_title, state: "queued", label: text.state_queued, when: c.scanned_at })),
      ...results.map((r) => ({
        title: r.event_title,
        state: r.status,
        label: r.status === "rejected" || waits(r) ? r.message || text.rejected : text[`state_${r.status}`],
        when: r.scanned_at,
      })),
    ];
    resultsList.replaceChildren(
      ...rows.slice(0, 20).map((row) => {
        const item = document.createElement("li");
        item.className = "item";
        item.dataset.state = row.state;
        const title = document.createElement("p");
        title.className = "item-title";
        title.textContent = row.title || text.unknown_event;
        const state = document.createElement("p");
        state.className = `state state-${row.state}`;
        state.textContent = row.label;
        const when = document.createElement("p");
        when.className = "muted";
        when.textContent = new Date(row.when).toLocaleString(document.documentElement.lang);
        item.append(title, state, when);
        return item;
      }),
    );
  }

  typed.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = typed.querySelector("input");
    const code = input.value.trim();
    if (!code) return;
    await handle(code);
    input.value = "";
  });
  document.addEventListener("enishi:outbox", () => renderResults().then(showAnswer));
  const camera = self.Enishi.qrReader(root, { onCode: handle, say, text });

  renderResults();
  if (location.pathname.startsWith("/c/")) {
    // Opened from the phone's camera app: the scan is done; the camera waits for a tap.
    const code = location.href;
    history.replaceState(null, "", "/scan"); // a reload must not record it again
    camera.wait();
    handle(code);
  } else {
    camera.start();
  }
})();
