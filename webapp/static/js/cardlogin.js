// Logging in with a login card. On the card's own page (/login/card#<secret>, what the phone's
// camera app opens) the secret is in the address after "#", which browsers never send; the form
// carries it to the server when the member taps the button. On a check-in link's page, with no
// one logged in, the card is read with the camera instead, and the login comes back to the
// check-in (templates/checkin/welcome.html).
(() => {
  const form = document.querySelector("[data-card-login]");
  if (!form) return;
  form.elements.token.value = decodeURIComponent(location.hash.slice(1));
  history.replaceState(null, "", location.pathname); // the secret leaves the address bar
})();

(() => {
  const reader = document.querySelector("[data-login-card-reader]");
  if (!reader) return;
  const text = JSON.parse(document.getElementById("card-login-text").textContent);
  const status = reader.querySelector("[data-scan-status]");
  const form = reader.querySelector("form");
  const cardPrefix = `${reader.dataset.cardUrl}#`; // as printed on the card (BASE_URL)
  let camera = null;

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  async function onCode(code) {
    if (!code.startsWith(cardPrefix) || code.length === cardPrefix.length) {
      say(text.not_a_login_card, "bad");
      return;
    }
    say(text.logging_in, "good");
    camera.stop();
    // Read with the camera on purpose, so it logs in at once: no second tap as on the card's
    // page, whose link a preview could open.
    form.elements.token.value = decodeURIComponent(code.slice(cardPrefix.length));
    form.submit();
    await new Promise(() => {}); // the page is leaving: read nothing more
  }

  for (const button of document.querySelectorAll("[data-card-start]")) {
    button.addEventListener("click", () => {
      reader.hidden = false;
      camera = camera || self.Enishi.qrReader(reader, { onCode, say, text });
      camera.start();
      reader.scrollIntoView({ block: "start" });
    });
  }
})();
