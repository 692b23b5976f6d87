// While something on the wallet is still pending, look again every few seconds: the badge and
// the tokens turn "on chain" as soon as the worker has them mined.
const POLL_MS = 4000;

if (document.querySelector("[data-pending]")) {
  setTimeout(() => {
    if (document.visibilityState === "visible") window.location.reload();
    else document.addEventListener("visibilitychange", () => window.location.reload(), { once: true });
  }, POLL_MS);
}
