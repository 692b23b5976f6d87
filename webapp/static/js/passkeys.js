// Passkeys: the login page's 「パスキーでログイン」 and the page that adds a passkey. The page
// carries the ceremony's options (JSON, binary values in base64url); this script hands them to
// the browser, which asks for the fingerprint or face, and posts the browser's answer back in the
// form's `credential` field. The server answers with the next page, or this page and what went
// wrong. Without passkeys in the browser, the login page's button stays hidden.
(() => {
  const form = document.querySelector("[data-passkey-form]");
  if (!form) return;
  const supported = Boolean(window.PublicKeyCredential && navigator.credentials);
  const section = document.querySelector("[data-passkey-section]");
  if (!supported) {
    const note = form.querySelector("[data-passkey-unsupported]");
    if (note) note.hidden = false;
    const button = form.querySelector("button[type=submit]");
    if (section) section.hidden = true;
    else if (button) button.disabled = true;
    return;
  }
  if (section) section.hidden = false;

  const status = form.querySelector("[data-passkey-status]");
  const options = JSON.parse(document.querySelector("[data-passkey-options]").textContent);

  function bytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  }

  function text(buffer) {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map((credential) => ({ ...credential, id: bytes(credential.id) }));
  }

  function creationOptions() {
    return {
      ...options,
      challenge: bytes(options.challenge),
      user: { ...options.user, id: bytes(options.user.id) },
      excludeCredentials: descriptors(options.excludeCredentials),
    };
  }

  function requestOptions() {
    return {
      ...options,
      challenge: bytes(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    };
  }

  // The browser's answer as JSON: the same envelope for both ceremonies, each its own response.
  function answered(credential, response) {
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  function created(credential) {
    const response = credential.response;
    return answered(credential, {
      clientDataJSON: text(response.clientDataJSON),
      attestationObject: text(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : [],
    });
  }

  function got(credential) {
    const response = credential.response;
    return answered(credential, {
      clientDataJSON: text(response.clientDataJSON),
      authenticatorData: text(response.authenticatorData),
      signature: text(response.signature),
      userHandle: response.userHandle ? text(response.userHandle) : undefined,
    });
  }

  async function answer() {
    if (form.dataset.passkeyForm === "create") {
      return created(await navigator.credentials.create({ publicKey: creationOptions() }));
    }
    return got(await navigator.credentials.get({ publicKey: requestOptions() }));
  }

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    form.setAttribute("aria-busy", "true");
    status.textContent = "";
    try {
      form.querySelector("[data-passkey-credential]").value = JSON.stringify(await answer());
      form.submit(); // the page moves on: no second press
    } catch (error) {
      // Cancelled, timed out, or no passkey for this site on this device.
      status.textContent = form.dataset.failed;
      status.dataset.tone = "bad";
      form.removeAttribute("aria-busy");
      busy = false;
    }
  });
})();
