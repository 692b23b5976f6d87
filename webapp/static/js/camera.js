// The camera's QR reader, shared by the member's scan page and the organiser's card check-in:
// the browser's BarcodeDetector where it has one, the vendored jsQR elsewhere (loaded only
// then); a torch and a flip button over the view where the phone has a torch and a second camera.
// The service worker imports this file to know whether to precache jsQR; nothing here touches
// the page until qrReader runs.
(function (global) {
  const SCAN_EVERY_MS = 200;
  const SAME_CODE_QUIET_MS = 30000; // the same code held in view is read once, not every frame

  /**
   * Reads QR codes with the camera inside `root` ([data-video], [data-torch], [data-flip],
   * [data-camera-start]; `data-jsqr` names the fallback decoder) and hands each new one to
   * `onCode`, awaited: nothing else is read until it returns. `say(message, tone)` shows how
   * the camera is doing, in the words of `text.no_camera` and `text.point_camera`.
   */
  function qrReader(root, { onCode, say, text }) {
    const video = root.querySelector("[data-video]");
    const torchButton = root.querySelector("[data-torch]");
    const flipButton = root.querySelector("[data-flip]");
    const startButton = root.querySelector("[data-camera-start]");
    let stream = null;
    let facing = "environment";
    let torchOn = false;
    let decoder = null;
    let last = { text: "", at: 0 };
    let busy = false;

    async function chooseDecoder() {
      if (await readsQrCodes()) {
        try {
          const detector = new BarcodeDetector({ formats: ["qr_code"] });
          return async (source) => ((await detector.detect(source))[0] || {}).rawValue || null;
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
            await onCode(found);
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
      flipButton.hidden = (await cameraCount()) < 2;
      const track = stream.getVideoTracks()[0];
      const capabilities = track.getCapabilities ? track.getCapabilities() : {};
      torchButton.hidden = !capabilities.torch;
      decoder = decoder || (await chooseDecoder());
      say(text.point_camera, "info");
      scanLoop();
    }

    /** How many cameras the phone has (known once one is allowed): flipping needs two. */
    async function cameraCount() {
      try {
        const devices = await navigator.mediaDevices.enumerateDevices();
        return devices.filter((device) => device.kind === "videoinput").length;
      } catch (error) {
        return 0;
      }
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
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") stopCamera();
      else if (!stream && startButton.hidden) startCamera();
    });

    return {
      start: startCamera,
      stop: stopCamera,
      /** Shows the "use the camera" button instead of starting it (the phone was just used). */
      wait() {
        startButton.hidden = false;
      },
    };
  }

  /** Whether the browser reads QR codes itself (BarcodeDetector), so needs no jsQR. Asked by
   * the service worker too: it precaches jsQR only where the answer is no. */
  async function readsQrCodes() {
    try {
      return "BarcodeDetector" in self && (await BarcodeDetector.getSupportedFormats()).includes("qr_code");
    } catch (error) {
      return false;
    }
  }

  global.Enishi = global.Enishi || {};
  global.Enishi.qrReader = qrReader;
  global.Enishi.readsQrCodes = readsQrCodes;
})(self);
