// マイページ's text size: the page takes the chosen size the moment it is chosen, and the choice
// is saved (on the account, and on this device by the answer's cookie) without leaving the
// page. Without this script, the form's button does the same with a page load.
(() => {
  const form = document.querySelector("[data-text-size]");
  if (!form) return;
  const root = document.documentElement;
  const status = form.querySelector("[data-text-size-status]");
  form.querySelector("[data-text-size-submit]").hidden = true;
  let saving = Promise.resolve();
  let pending = 0;

  function show(size) {
    for (const name of [...root.classList]) {
      if (name.startsWith("text-")) root.classList.remove(name);
    }
    root.classList.add(`text-${size}`);
  }

  async function save() {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
    });
    // Saved, the answer leads back to this page; else it is a refusal, or the login page (the
    // session ended meanwhile).
    if (!response.ok || new URL(response.url).pathname !== location.pathname) {
      throw new Error(`not saved: HTTP ${response.status} at ${response.url}`);
    }
  }

  form.addEventListener("change", (event) => {
    if (event.target.name !== "size") return;
    show(event.target.value);
    // One after the other, so that the last choice is the one kept.
    pending += 1;
    form.setAttribute("aria-busy", "true");
    saving = saving.then(async () => {
      try {
        await save();
        status.textContent = form.dataset.saved;
        delete status.dataset.tone;
      } catch (error) {
        status.textContent = form.dataset.failed;
        status.dataset.tone = "bad";
      }
      pending -= 1;
      if (!pending) form.removeAttribute("aria-busy");
    });
  });
})();
