// The JSON API v1 as the phone uses it: the session (am I logged in, and the CSRF token) and
// the check-in batch, and the 結い confirmations. A classic script, shared by pages and the service
// worker (self.Enishi).
(function (global) {
  const Enishi = (global.Enishi = global.Enishi || {});

  Enishi.api = {
    /** {logged_in, csrf_token}; throws on a network error. */
    async session() {
      const response = await fetch("/api/v1/session", {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`session: HTTP ${response.status}`);
      return response.json();
    },

    /** Posts claims; returns the Response (the caller decides per status). */
    postCheckins(claims, csrfToken) {
      return fetch("/api/v1/checkins", {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ claims }),
      });
    },

    /** Posts 結い confirmations (member cards scanned face to face); returns the Response. */
    postConfirmations(confirmations, csrfToken) {
      return fetch("/api/v1/yui/confirmations", {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ confirmations }),
      });
    },

    /** Events whose check-in is near now: [{id, title}], for naming a claim offline. */
    async currentEvents() {
      const response = await fetch("/api/v1/events", { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`events: HTTP ${response.status}`);
      return (await response.json()).events;
    },
  };
})(self);
