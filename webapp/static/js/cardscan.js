// The organiser's card check-in: a member card read by the camera is sent as the page's form;
// the answer comes back as the page's message.
(function () {
  const root = document.querySelector("[data-card-reader]");
  if (!root) return;
  const text = JSON.parse(document.getElementById("card-text").textContent);
  const status = root.querySelector("[data-scan-status]");
  const form = root.querySelector("[data-card-form]");
  const CARD_PREFIX = "ENISHI-M1-"; // webapp/membership/cards.py
  // The page reloads with the answer while the card may still be in view: the same card is
  // not sent again for a while.
  const LAST_CARD_KEY = "enishi:last-card";
  const SAME_CARD_QUIET_MS = 30000;

  function justSent(code) {
    try {
      const last = JSON.parse(sessionStorage.getItem(LAST_CARD_KEY) || "null");
      return Boolean(last && last.code === code && Date.now() - last.at < SAME_CARD_QUIET_MS);
    } catch {
      return false;
    }
  }

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  async function onCode(code) {
    if (!code.startsWith(CARD_PREFIX)) {
      say(text.not_a_card, "bad");
      return;
    }
    if (justSent(code)) {
      say(text.same_card, "good");
      return;
    }
    sessionStorage.setItem(LAST_CARD_KEY, JSON.stringify({ code, at: Date.now() }));
    form.elements.card.value = code;
    form.submit();
    await new Promise(() => {}); // the page is leaving: read nothing more
  }

  self.Enishi.qrReader(root, { onCode, say, text }).start();
})();
