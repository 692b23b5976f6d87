// The phone's outbox: check-in claims kept in IndexedDB from the moment of the scan until the
// server has answered them, across reloads, browser restarts and days without signal.
//
// The offline contract (API v1): a claim is {id, code, scanned_at, offline, word?}; its id is made
// here once and never changes. Per claim, an answer (accepted, duplicate, rejected) is final:
// the claim leaves the queue and its answer is kept to be shown. A network error, a 5xx or a
// 429 keeps it, to be retried with backoff and jitter. A 401 keeps it until the member logs in.
// A send takes the whole outbox: one POST while it fits the server's batch limit (`batch_limit`
// of /api/v1/session), else posts of that many, one after the other, on the connection the
// browser keeps alive where the server lets it.
// 結い confirmations (a member card scanned face to face) wait here too, in a store of their own
// (outbox.confirmations): {id, account, thread_id, card, scanned_at, offline}, sent to
// /api/v1/yui/confirmations by the same flush, and kept with their answer (confirmed, already,
// refused) once it comes: the same rules per item.
// A classic script (self.Enishi.outbox), shared by pages and the service worker; needs api.js.
(function (global) {
  const Enishi = (global.Enishi = global.Enishi || {});
  const DB_NAME = "enishi";
  const DB_VERSION = 3;
  const BATCH = 50; // the server's CHECKIN_BATCH_LIMIT, for a server that does not say it
  const FIRST_RETRY_MS = 2000;
  const LONGEST_RETRY_MS = 5 * 60 * 1000;
  const KEPT_RESULTS = 50;
  const MAX_CODE_CHARS = 512; // the server refuses longer codes (and with them the whole batch)
  const PRINTED_KIND = 2; // a poster's code (webapp/checkin/codes.py KIND_PRINTED)
  const CHANNEL = "enishi-outbox";
  const CONFIRMATION_BATCH = 20; // the server's CONFIRMATION_BATCH_LIMIT (webapp/api/schemas.py)
  const KEPT_CONFIRMATIONS = 50;

  let opening = null;
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          for (const store of ["claims", "results", "events", "confirmations"]) {
            if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: "id" });
          }
          // "account": who is logged in on this phone, as the server last said.
          if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opening;
  }

  async function run(stores, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      // Strict durability: a claim is on disk before the phone says "recorded".
      const tx = db.transaction(stores, mode, mode === "readwrite" ? { durability: "strict" } : {});
      let result;
      Promise.resolve(work(tx)).then((value) => (result = value), reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const req = (request) =>
    new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });

  function announce(change) {
    try {
      const channel = new BroadcastChannel(CHANNEL);
      channel.postMessage(change);
      channel.close();
    } catch (error) {
      /* no BroadcastChannel: pages refresh on their own events */
    }
  }

  /** The header of a check-in code (URL or token): {kind, eventId}, or null if it is not one. */
  function headerOf(code) {
    const token = String(code).trim().replace(/\/+$/, "").split("/c/").pop();
    if (!/^[A-Za-z0-9_-]{27}$/.test(token)) return null;
    const bytes = Uint8Array.from(atob(token.replace(/-/g, "+").replace(/_/g, "/") + "="), (c) =>
      c.charCodeAt(0),
    );
    const view = new DataView(bytes.buffer);
    return { kind: view.getUint8(1), eventId: view.getUint32(2) };
  }

  function eventIdOf(code) {
    const header = headerOf(code);
    return header ? header.eventId : null;
  }

  /** Where the browser has Background Sync, it wakes the service worker once online. */
  function requestBackgroundSync() {
    if (!global.navigator || !navigator.serviceWorker) return; // in the service worker itself
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register("enishi-outbox"))
      .catch(() => {});
  }

  function retryDelay(attempts, retryAfterSeconds) {
    if (retryAfterSeconds > 0) return retryAfterSeconds * 1000;
    const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(attempts - 1, 0), LONGEST_RETRY_MS);
    return base * (0.5 + Math.random()); // jitter: phones coming back online together spread out
  }

  const outbox = {
    CHANNEL,

    /**
     * Keeps a new claim for `code`; resolves once it is on disk. A second scan of an event
     * whose claim still waits returns the waiting claim: it could only ever be a duplicate.
     */
    /** Whether a code is a printed poster's: its event may ask for a secret word. */
    isPrinted(code) {
      const header = headerOf(code);
      return Boolean(header && header.kind === PRINTED_KIND);
    },

    async record(code, word) {
      const text = String(code).trim();
      const eventId = text.length <= MAX_CODE_CHARS ? eventIdOf(text) : null;
      if (eventId === null) throw new Error("not a check-in code");
      // The very same code scanned twice while it waits: one claim is enough.
      const waiting = (await outbox.queued()).find((c) => c.code === text);
      if (waiting) return waiting;
      const known = eventId === null ? null : await run(["events"], "readonly", (tx) => req(tx.objectStore("events").get(eventId)));
      // The page may still be asking the server who is logged in (sync.js): wait for it.
      if (Enishi.accountLearnt) await Enishi.accountLearnt;
      const claim = {
        id: crypto.randomUUID(),
        account: await outbox.account(),
        code: text,
        scanned_at: new Date().toISOString(),
        offline: !navigator.onLine,
        word: word || null,
        event_id: eventId,
        event_title: known ? known.title : null,
        attempts: 0,
        next_attempt_at: 0,
      };
      await run(["claims"], "readwrite", (tx) => req(tx.objectStore("claims").add(claim)));
      announce({ type: "recorded", id: claim.id });
      requestBackgroundSync();
      return claim;
    },

    /** The account logged in on this phone as last known (null: logged out, or not known). */
    async account() {
      const row = await run(["meta"], "readonly", (tx) => req(tx.objectStore("meta").get("account")));
      return row ? row.value : null;
    },

    async setAccount(account) {
      await run(["meta"], "readwrite", (tx) => {
        tx.objectStore("meta").put({ key: "account", value: account || null });
      });
    },

    /** The person logged in says these claims, scanned while logged out, are theirs. */
    async adopt(ids) {
      const account = await outbox.account();
      if (!account) return;
      const wanted = new Set(ids);
      const claims = (await outbox.queued()).filter((c) => wanted.has(c.id) && !c.account);
      await run(["claims"], "readwrite", (tx) => {
        for (const claim of claims) {
          claim.account = account;
          claim.next_attempt_at = 0;
          tx.objectStore("claims").put(claim);
        }
      });
      announce({ type: "adopted" });
    },

    /** Throws away claims nobody on this phone wants to send. */
    async discard(ids) {
      await run(["claims"], "readwrite", (tx) => {
        for (const id of ids) tx.objectStore("claims").delete(id);
      });
      announce({ type: "discarded" });
    },

    async queued() {
      const claims = await run(["claims"], "readonly", (tx) => req(tx.objectStore("claims").getAll()));
      return claims.sort((a, b) => a.scanned_at.localeCompare(b.scanned_at));
    },

    async results() {
      const results = await run(["results"], "readonly", (tx) => req(tx.objectStore("results").getAll()));
      return results.sort((a, b) => b.answered_at.localeCompare(a.answered_at));
    },

    async rememberEvents(events) {
      await run(["events"], "readwrite", (tx) => {
        const store = tx.objectStore("events");
        for (const event of events) store.put({ id: event.id, title: event.title });
      });
    },

    /**
     * Sends what is due (everything with `force`). Only one flush runs at a time across tabs
     * and the service worker. `session`: the server's answer the caller has just had (a page
     * asks who is logged in as it loads), so as not to ask again. Resolves to {sent, kept,
     * loginNeeded}.
     */
    async flush({ force = false, session = null } = {}) {
      if (!navigator.locks) return sendEverything(force, session);
      // A forced send (a scan, the send-now button) waits its turn; a background one steps
      // aside when another tab or the service worker is already sending.
      if (force) return navigator.locks.request("enishi-outbox", () => sendEverything(true, session));
      return navigator.locks.request("enishi-outbox", { ifAvailable: true }, (lock) =>
        lock ? sendEverything(false, session) : { sent: 0, kept: 0, busy: true },
      );
    },
  };

  /** The check-in claims that are due, then the confirmations, asking the server who is logged
   * in at most once (`known`: the answer the caller has just had). */
  async function sendEverything(force, known) {
    let asked = null;
    const session = () => (known ? Promise.resolve(known) : (asked = asked || Enishi.api.session()));
    const claims = await sendDue(force, session);
    const confirmations = await sendConfirmations(force, session);
    return { ...claims, confirmations };
  }

  async function sendDue(force, askSession) {
    const now = Date.now();
    const queued = await outbox.queued();
    const due = queued.filter((c) => force || c.next_attempt_at <= now);
    if (!due.length) return { sent: 0, kept: 0 };
    let session;
    try {
      session = await askSession();
    } catch (error) {
      return keep(due, 0);
    }
    await outbox.setAccount(session.logged_in ? session.account : null);
    if (!session.logged_in) return waitForLogin(due);
    // Only this account's own claims go; the others wait for their person.
    const mine = due.filter((c) => c.account === session.account);
    if (!mine.length) return { sent: 0, kept: due.length };
    return sendAll(mine, session);
  }

  /** Sends `claims` in as few posts as the server takes: one while they fit its batch limit,
   * else posts of that many in turn. A post that is not answered (offline, 5xx, 429, 409) stops
   * the send: the rest would meet the same, so they wait with it for the same retry. */
  async function sendAll(claims, session) {
    const limit = Number(session.batch_limit) > 0 ? Number(session.batch_limit) : BATCH;
    let sent = 0;
    for (let start = 0; start < claims.length; start += limit) {
      const outcome = await sendBatch(claims.slice(start, start + limit), session);
      sent += outcome.sent;
      const rest = claims.slice(start + limit);
      if (outcome.loginNeeded) return { sent, kept: claims.length - sent, loginNeeded: true };
      if (outcome.retryAfter !== undefined) {
        if (rest.length) await keep(rest, outcome.retryAfter);
        return { sent, kept: claims.length - sent };
      }
    }
    return { sent, kept: claims.length - sent };
  }

  async function sendBatch(due, session) {
    let response;
    try {
      response = await Enishi.api.postCheckins(
        due.map(({ id, code, scanned_at, offline, word, account }) =>
          word ? { id, code, scanned_at, offline, word, account } : { id, code, scanned_at, offline, account },
        ),
        session.csrf_token,
      );
    } catch (error) {
      return keep(due, 0);
    }
    if (response.status === 401) return waitForLogin(due);
    if (response.status === 200) {
      const body = await response.json();
      await settle(due, body.results);
      return { sent: body.results.length, kept: 0 };
    }
    if (response.status === 400) {
      const body = await response.json().catch(() => ({}));
      const refused = body.error === "malformed_batch" || body.error === "batch_too_large";
      // Anything else (a refused CSRF token, a proxy's page) is not about the claims: retry.
      if (!refused) return keep(due, 0);
      if (due.length > 1) {
        // One claim spoils the batch for all: send them one by one to find it.
        let sent = 0;
        for (const claim of due) sent += (await sendBatch([claim], session)).sent;
        return { sent, kept: due.length - sent };
      }
      // This one claim will never be taken as it is: its answer is final, and shown.
      await settle(due, [{ id: due[0].id, status: "rejected", reason: "malformed", message: body.message }]);
      return { sent: 1, kept: 0 };
    }
    return keep(due, Number(response.headers.get("Retry-After")) || 0);
  }

  async function settle(claims, results) {
    const answered = new Map(results.map((r) => [r.id, r]));
    await run(["claims", "results"], "readwrite", (tx) => {
      for (const claim of claims) {
        const answer = answered.get(claim.id);
        if (!answer) continue; // no answer for this one: it stays queued
        tx.objectStore("results").put({
          id: claim.id,
          code: claim.code,
          scanned_at: claim.scanned_at,
          answered_at: new Date().toISOString(),
          status: answer.status,
          reason: answer.reason || null,
          message: answer.message || null,
          offline: Boolean(answer.offline),
          event_id: claim.event_id,
          event_title: (answer.event && answer.event.title) || claim.event_title,
          award: answer.award || null, // what an accepted claim brings (coins, or why none)
        });
        tx.objectStore("claims").delete(claim.id);
      }
    });
    await trimResults();
    announce({ type: "answered", ids: results.map((r) => r.id) });
  }

  async function trimResults() {
    const results = await outbox.results();
    if (results.length <= KEPT_RESULTS) return;
    await run(["results"], "readwrite", (tx) => {
      for (const old of results.slice(KEPT_RESULTS)) tx.objectStore("results").delete(old.id);
    });
  }

  async function keep(claims, retryAfterSeconds) {
    const now = Date.now();
    await run(["claims"], "readwrite", (tx) => {
      for (const claim of claims) {
        claim.attempts += 1;
        claim.next_attempt_at = now + retryDelay(claim.attempts, retryAfterSeconds);
        tx.objectStore("claims").put(claim);
      }
    });
    announce({ type: "kept" });
    return { sent: 0, kept: claims.length, retryAfter: retryAfterSeconds };
  }

  // Whether the phone waits for a login is read from the account it knows (sync.js), not
  // written on each claim.
  async function waitForLogin(claims) {
    announce({ type: "login" });
    return { sent: 0, kept: claims.length, loginNeeded: true };
  }

  // -- 結い confirmations ------------------------------------------------------------------

  const confirmations = {
    /**
     * Keeps a scan of `card` confirming the help of thread `threadId`, by `account` (the page's
     * member); resolves once it is on disk. While one for the thread waits, or once one was
     * confirmed, that one is returned: a thread is confirmed once.
     */
    async record(threadId, card, account) {
      const kept = await confirmations.latest(threadId);
      if (kept && kept.status !== "refused") return kept;
      const entry = {
        id: crypto.randomUUID(),
        account: account || (await outbox.account()),
        thread_id: threadId,
        card: String(card).trim(),
        scanned_at: new Date().toISOString(),
        offline: !navigator.onLine,
        status: null, // the server's answer, once it comes
        attempts: 0,
        next_attempt_at: 0,
      };
      await run(["confirmations"], "readwrite", (tx) => req(tx.objectStore("confirmations").add(entry)));
      announce({ type: "recorded", id: entry.id });
      requestBackgroundSync();
      return entry;
    },

    /** Every scan kept, the newest first. */
    async all() {
      const rows = await run(["confirmations"], "readonly", (tx) =>
        req(tx.objectStore("confirmations").getAll()),
      );
      return rows.sort((a, b) => b.scanned_at.localeCompare(a.scanned_at));
    },

    /** The scans waiting to be sent, the oldest first. */
    async waiting() {
      return (await confirmations.all()).filter((c) => !c.status).reverse();
    },

    /** The thread's latest scan (waiting, or with its answer), or null. */
    async latest(threadId) {
      return (await confirmations.all()).find((c) => c.thread_id === threadId) || null;
    },
  };
  outbox.confirmations = confirmations;

  /** Sends the confirmations that are due, in posts of CONFIRMATION_BATCH, as the claims go. */
  async function sendConfirmations(force, askSession) {
    const now = Date.now();
    const due = (await confirmations.waiting()).filter((c) => force || c.next_attempt_at <= now);
    if (!due.length) return { sent: 0, kept: 0 };
    let session;
    try {
      session = await askSession();
    } catch (error) {
      return keepConfirmations(due, 0);
    }
    if (!session.logged_in) return waitForLogin(due);
    // Only this account's own scans go; another's wait for their person.
    const mine = due.filter((c) => !c.account || c.account === session.account);
    let sent = 0;
    for (let start = 0; start < mine.length; start += CONFIRMATION_BATCH) {
      const outcome = await sendConfirmationBatch(mine.slice(start, start + CONFIRMATION_BATCH), session);
      sent += outcome.sent;
      if (outcome.stop) {
        const rest = mine.slice(start + CONFIRMATION_BATCH);
        if (rest.length && !outcome.loginNeeded) await keepConfirmations(rest, outcome.retryAfter || 0);
        break;
      }
    }
    return { sent, kept: due.length - sent };
  }

  async function sendConfirmationBatch(batch, session) {
    let response;
    try {
      response = await Enishi.api.postConfirmations(
        batch.map(({ id, thread_id, card, scanned_at, offline, account }) => {
          const item = { claim_id: id, thread_id, card, scanned_at, offline };
          return account ? { ...item, account } : item;
        }),
        session.csrf_token,
      );
    } catch (error) {
      await keepConfirmations(batch, 0);
      return { sent: 0, stop: true };
    }
    if (response.status === 401) {
      await waitForLogin(batch);
      return { sent: 0, stop: true, loginNeeded: true };
    }
    if (response.status === 200) {
      const body = await response.json();
      await settleConfirmations(batch, body.results);
      return { sent: body.results.length };
    }
    if (response.status === 400) {
      const body = await response.json().catch(() => ({}));
      const refused = body.error === "malformed_batch" || body.error === "batch_too_large";
      if (refused && batch.length > 1) {
        // One scan spoils the post for all: send them one by one to find it.
        let sent = 0;
        for (const entry of batch) sent += (await sendConfirmationBatch([entry], session)).sent;
        return { sent };
      }
      if (refused) {
        const answer = { claim_id: batch[0].id, status: "refused", reason: "malformed", message: body.message };
        await settleConfirmations(batch, [answer]);
        return { sent: 1 };
      }
    }
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    await keepConfirmations(batch, retryAfter);
    return { sent: 0, stop: true, retryAfter };
  }

  async function settleConfirmations(batch, results) {
    const answered = new Map(results.map((r) => [r.claim_id, r]));
    await run(["confirmations"], "readwrite", (tx) => {
      for (const entry of batch) {
        const answer = answered.get(entry.id);
        if (!answer) continue; // no answer for this one: it waits
        entry.status = answer.status;
        entry.reason = answer.reason || null;
        entry.message = answer.message || null;
        entry.answered_at = new Date().toISOString();
        tx.objectStore("confirmations").put(entry);
      }
    });
    const all = await confirmations.all();
    const old = all.filter((c) => c.status).slice(KEPT_CONFIRMATIONS);
    if (old.length) {
      await run(["confirmations"], "readwrite", (tx) => {
        for (const entry of old) tx.objectStore("confirmations").delete(entry.id);
      });
    }
    announce({ type: "answered", ids: results.map((r) => r.claim_id) });
  }

  async function keepConfirmations(batch, retryAfterSeconds) {
    const now = Date.now();
    await run(["confirmations"], "readwrite", (tx) => {
      for (const entry of batch) {
        entry.attempts += 1;
        entry.next_attempt_at = now + retryDelay(entry.attempts, retryAfterSeconds);
        tx.objectStore("confirmations").put(entry);
      }
    });
    announce({ type: "kept" });
    return { sent: 0, kept: batch.length, retryAfter: retryAfterSeconds };
  }

  Enishi.outbox = outbox;
})(self);
