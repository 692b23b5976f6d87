// The 結い confirmation screen: reads the other person's member card with the camera and keeps
// the scan in the phone's outbox at once, with or without signal (outbox.confirmations); the
// outbox sends it when it can (sync.js, the service worker), and the screen shows its state:
// 送信待ち while it waits, the server's answer once it comes. The camera waits for a tap: the
// same screen also shows the member's own card, for the other person to scan instead.
(function () {
  const { outbox, sync } = self.Enishi;
  // Showing one's own card: it comes into view whole, for the other phone to read.
  const myCard = document.querySelector("[data-my-card]");
  if (myCard) {
    myCard.addEventListener("toggle", () => {
      if (myCard.open) myCard.scrollIntoView({ block: "start", behavior: "smooth" });
    });
  }
  const root = document.querySelector("[data-confirm]");
  if (!root) return; // confirmed already: the page says so itself
  const text = JSON.parse(document.getElementById("confirm-text").textContent);
  const threadId = Number(root.dataset.threadId);
  const status = root.querySelector("[data-scan-status]");
  const answer = root.querySelector("[data-confirm-answer]");
  const cameraPart = root.querySelector("[data-confirm-camera]");
  const CARD_PREFIX = "ENISHI-M1-"; // webapp/membership/cards.py

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  async function onCode(code) {
    if (!code.startsWith(CARD_PREFIX)) {
      say(text.not_a_card, "bad");
      return;
    }
    await outbox.confirmations.record(threadId, code, root.dataset.account);
    camera.stop();
    camera.wait(); // and stays off when the phone comes back to this page
    await render();
    if (navigator.onLine) await sync.send(true);
    await render();
  }

  /** The thread's scan as it stands: waiting on the phone, or the server's answer. */
  async function render() {
    const entry = await outbox.confirmations.latest(threadId);
    if (!entry) return;
    const done = entry.status === "confirmed" || entry.status === "already";
    if (!entry.status) {
      const loggedOut = !(await outbox.account());
      show("queued", text.queued_title, loggedOut ? text.login_note : text.queued_note);
    } else if (done) {
      show("confirmed", text.confirmed_title, text.confirmed_note);
      // Nothing more to scan or show: the answer stands alone.
      for (const part of document.querySelectorAll("[data-confirm-intro], [data-my-card-part]")) {
        part.hidden = true;
      }
    } else {
      // Refused: say why, and let them scan again.
      show("refused", text.refused_title, entry.message || "");
      if (cameraPart.hidden) {
        cameraPart.hidden = false;
        camera.wait();
      }
      return;
    }
    cameraPart.hidden = true;
  }

  function show(state, title, note) {
    const changed = answer.dataset.state !== state || answer.hidden;
    answer.dataset.state = state;
    answer.querySelector("[data-answer-title]").textContent = title;
    answer.querySelector("[data-answer-note]").textContent = note;
    answer.querySelector("[data-answer-mark]").hidden = state === "refused";
    answer.querySelector("[data-answer-wallet]").hidden = state !== "confirmed";
    answer.hidden = false;
    if (!changed) return;
    answer.focus({ preventScroll: true }); // read out at once
    answer.scrollIntoView({ block: "center" }); // and seen whole, clear of the bars
  }

  document.addEventListener("enishi:outbox", () => render());
  const camera = self.Enishi.qrReader(root, { onCode, say, text });
  camera.wait(); // started by a tap: the member may be showing their own card instead
  say(text.press_start, "info");
  render();
})();
