// While something on the wallet is still pending, look again after a pause: the badge and the
// tokens turn "on chain" as soon as the worker has them mined. The pause doubles each time
// (4 s up to 2 minutes), so a wallet left open while the chain is down does not reload forever
// at full speed; it is kept across reloads in sessionStorage.
const FIRST_MS = 4000;
const LONGEST_MS = 120000;
const KEY = "enishi.wallet.poll";

if (document.querySelector("[data-pending]")) {
  const pause = Math.min(Number(sessionStorage.getItem(KEY)) || FIRST_MS, LONGEST_MS);
  sessionStorage.setItem(KEY, String(Math.min(pause * 2, LONGEST_MS)));
  setTimeout(() => {
    if (document.visibilityState === "visible") window.location.reload();
    else document.addEventListener("visibilitychange", () => window.location.reload(), { once: true });
  }, pause);
} else {
  sessionStorage.removeItem(KEY);
}
