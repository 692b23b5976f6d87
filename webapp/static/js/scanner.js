// The scan page: reads an event's QR code with the camera (the browser's BarcodeDetector where
// it has one, the vendored jsQR elsewhere) or from a typed code, and records the claim in the
// outbox at once, with or without signal. Opened as /c/<token> (the phone's camera app, served
// by the service worker when offline), it records that code the same way.
(function () {
  const { outbox, sync } = self.Enishi;
  const root = document.querySelector("[data-scanner]");
  const text = JSON.parse(document.getElementById("scan-text").textContent);
  const video = root.querySelector("[data-video]");
  const status = root.querySelector("[data-scan-status]");
  const torchButton = root.querySelector("[data-torch]");
  const flipButton = root.querySelector("[data-flip]");
  const startButton = root.querySelector("[data-camera-start]");
  const resultsList = root.querySelector("[data-results]");
  const typed = root.querySelector("[data-typed]");
  const wordForm = root.querySelector("[data-word]");
  const SCAN_EVERY_MS = 200;
  const SAME_CODE_QUIET_MS = 30000;

  let stream = null;
  let facing = "environment";
  let torchOn = false;
  let decoder = null;
  let last = { text: "", at: 0 };
  let busy = false;
  let lastClaim = null;

  function say(message, tone) {
    status.textContent = message;
    status.dataset.tone = tone || "info";
  }

  /** A printed poster's code may need the secret word the organiser says: ask for it. */
  function askForWord() {
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

  /** Replaces "recorded" by the server's answer to the latest claim, once there is one. */
  async function showAnswer() {
    if (!lastClaim) return;
    const answer = (await outbox.results()).find((r) => r.id === lastClaim.id);
    if (!answer) return; // still queued: "recorded" stays on screen
    lastClaim = null;
    const name = answer.event_title ? `${answer.event_title}: ` : "";
    if (answer.status === "accepted") say(name + text.accepted, "good");
    else if (answer.status === "duplicate") say(name + text.duplicate, "good");
    else say(name + (answer.message || text.rejected), "bad");
  }

  async function renderResults() {
    const [queued, results] = await Promise.all([outbox.queued(), outbox.results()]);
    const rows = [
      ...queued.map((c) => ({ title: c.event_title, state: "queued", label: text.state_queued, when: c.scanned_at })),
      ...results.map((r) => ({
        title: r.event_title,
        state: r.status,
        label: r.status === "rejected" ? r.message || text.rejected : text[`state_${r.status}`],
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

  async function chooseDecoder() {
    if ("BarcodeDetector" in self) {
      try {
        if ((await BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
          const detector = new BarcodeDetector({ formats: ["qr_code"] });
          return async (source) => ((await detector.detect(source))[0] || {}).rawValue || null;
        }
      } catch (error) {
        /* fall back to jsQR */
      }
    }
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = root.dataset.jsqr;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (source) => {
      const scale = Math.min(1, 640 / source.videoWidth);
      canvas.width = Math.round(source.videoWidth * scale);
      canvas.height = Math.round(source.videoHeight * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = self.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
      return found ? found.data : null;
    };
  }

  async function scanLoop() {
    if (!stream) return;
    if (!busy && video.readyState >= 2 && video.videoWidth) {
      busy = true;
      try {
        const found = await decoder(video);
        const now = Date.now();
        if (found && (found !== last.text || now - last.at > SAME_CODE_QUIET_MS)) {
          last = { text: found, at: now };
          if (navigator.vibrate) navigator.vibrate(80);
          await handle(found);
        }
      } catch (error) {
        /* a frame that cannot be read: try the next */
      } finally {
        busy = false;
      }
    }
    setTimeout(scanLoop, SCAN_EVERY_MS);
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(text.no_camera, "bad");
      return;
    }
    stopCamera();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: facing }, audio: false });
    } catch (error) {
      say(text.no_camera, "bad");
      startButton.hidden = false;
      return;
    }
    video.srcObject = stream;
    await video.play().catch(() => {});
    startButton.hidden = true;
    flipButton.hidden = false;
    const track = stream.getVideoTracks()[0];
    const capabilities = track.getCapabilities ? track.getCapabilities() : {};
    torchButton.hidden = !capabilities.torch;
    decoder = decoder || (await chooseDecoder());
    say(text.point_camera, "info");
    scanLoop();
  }

  function stopCamera() {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
  }

  torchButton.addEventListener("click", async () => {
    const track = stream && stream.getVideoTracks()[0];
    if (!track) return;
    torchOn = !torchOn;
    await track.applyConstraints({ advanced: [{ torch: torchOn }] }).catch(() => {});
    torchButton.setAttribute("aria-pressed", String(torchOn));
  });
  flipButton.addEventListener("click", () => {
    facing = facing === "environment" ? "user" : "environment";
    startCamera();
  });
  startButton.addEventListener("click", startCamera);
  typed.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = typed.querySelector("input");
    const code = input.value.trim();
    if (!code) return;
    await handle(code);
    input.value = "";
  });
  document.addEventListener("enishi:outbox", () => renderResults().then(showAnswer));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") stopCamera();
    else if (!stream && startButton.hidden) startCamera();
  });

  renderResults();
  if (location.pathname.startsWith("/c/")) {
    // Opened from the phone's camera app: the scan is done; the camera waits for a tap.
    const code = location.href;
    history.replaceState(null, "", "/scan"); // a reload must not record it again
    startButton.hidden = false;
    handle(code);
  } else {
    startCamera();
  }
})();
