// The shop's ticket reader: a ticket's QR code read by the camera is sent as the code form.
(function () {
  const root = document.querySelector("[data-ticket-reader]");
  if (!root) return;
  const text = JSON.parse(document.getElementById("ticket-text").textContent);
  const status = root.querySelector("[data-scan-status]");
  const form = document.querySelector("[data-ticket-form]");
  const TICKET_PREFIX = "ENISHI-T1-"; // webapp/perks/redemptions.py

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  async function onCode(code) {
    if (!code.startsWith(TICKET_PREFIX)) return;
    form.elements.code.value = code;
    form.submit();
    await new Promise(() => {}); // the page is leaving: read nothing more
  }

  self.Enishi.qrReader(root, { onCode, say, text }).start();
})();
