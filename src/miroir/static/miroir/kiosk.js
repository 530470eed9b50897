/* Kiosk: one tablet, many anonymous respondents, a network that may come and go.
   - Setting up: the kiosk link carries its key after "#", which no browser sends to a
     server. The setup page takes it out of the address bar at once, posts it in a request
     body, and reloads once the server has put it in the kiosk's HttpOnly cookie.
   - Each answer gets a random submission id (UUID v4) and goes into a queue kept in this
     browser's localStorage before anything is sent; the queue is sent in order, now if the
     network is there, else when it comes back. The server recognises a submission id it
     already stored, so sending the same queue again never duplicates an answer.
   - An answer the server fails on (5xx, or a refusal other than those below) is set aside
     with a growing delay and the rest of the queue goes on; only what concerns the whole
     tablet (offline, not set up or revoked, not open yet, too many requests) stops it.
   - After each answer: a thank-you screen, then the blank form for the next person. A form
     left half-filled is cleared after a while. Nothing of a respondent is kept once sent. */
(function () {
  "use strict";

  const FIELD_PREFIX = "q-";
  const SEND_TIMEOUT_MS = 10000;
  // A stored submission, a replay of one, or a refusal that no retry can change.
  const DONE = new Set([200, 201, 400, 404, 409, 410]);
  // Answers about the whole tablet, not one entry: stop, keep everything, try later.
  const STOP = new Set([401, 403, 429]);
  // How long an entry the server failed on waits before its next try (doubling, capped).
  const ASIDE_FIRST_MS = 30 * 1000;
  const ASIDE_MAX_MS = 60 * 60 * 1000;

  function setUp(root) {
    const name = root.dataset.fragmentName;
    const key = new URLSearchParams(window.location.hash.slice(1)).get(name);
    // Out of the address bar and the history at once, whatever happens next.
    if (window.location.hash) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    if (!key) return;
    const status = root.querySelector("[data-kiosk-setup-status]");
    const csrf = root.querySelector("[data-kiosk-setup-form] [name=csrfmiddlewaretoken]");
    const body = new URLSearchParams();
    body.set(name, key);
    fetch(root.dataset.setupUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      // The page's own policy sends no referrer, so its Origin would be "null".
      referrerPolicy: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
      body: body,
    })
      .then((response) => {
        if (response.ok) window.location.replace(window.location.pathname + window.location.search);
        else status.textContent = root.dataset.msgFailed;
      })
      .catch(() => {
        status.textContent = root.dataset.msgFailed;
      });
  }

  function start() {
    const setup = document.querySelector("[data-kiosk-setup]");
    if (setup) {
      setUp(setup);
      return;
    }
    const root = document.querySelector("[data-kiosk]");
    if (!root) return;
    const form = root.querySelector("form[data-kiosk-form]");
    const survey = root.querySelector("[data-kiosk-survey]");
    const thanks = root.querySelector("[data-kiosk-thanks]");
    const thanksText = root.querySelector("[data-kiosk-thanks-text]");
    const status = root.querySelector("[data-kiosk-status]");
    const errors = root.querySelector("[data-kiosk-errors]");
    const title = root.querySelector("#kiosk-title");
    const queueKey = root.dataset.queueKey;
    const seconds = (name, fallback) => (parseInt(root.dataset[name], 10) || fallback) * 1000;
    let memoryQueue = []; // When localStorage is refused (private mode), keep the queue here.
    let needsSetup = false;
    let resetTimer = null;
    let idleTimer = null;
    let chain = Promise.resolve();

    function uuid4() {
      const bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
      return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
    }

    function readQueue() {
      try {
        const stored = window.localStorage.getItem(queueKey);
        const queue = stored ? JSON.parse(stored) : [];
        return Array.isArray(queue) ? queue : [];
      } catch (error) {
        return memoryQueue.slice();
      }
    }

    function writeQueue(queue) {
      memoryQueue = queue.slice();
      try {
        if (queue.length) window.localStorage.setItem(queueKey, JSON.stringify(queue));
        else window.localStorage.removeItem(queueKey);
      } catch (error) {
        // Storage refused: the in-memory queue lasts as long as the page.
      }
    }

    function forget(id) {
      writeQueue(readQueue().filter((entry) => entry.id !== id));
    }

    function showStatus() {
      const pending = readQueue().length;
      let text = "";
      if (needsSetup) text = root.dataset.msgSetup;
      else if (pending) text = root.dataset.msgPending.replace("%(count)s", String(pending));
      status.textContent = text;
      status.hidden = !text;
    }

    async function send(entry) {
      const controller = new AbortController();
      const timer = window.setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
      try {
        const response = await fetch(root.dataset.submitUrl, {
          method: "POST",
          credentials: "same-origin",
          cache: "no-store",
          signal: controller.signal,
          referrerPolicy: "same-origin",
          headers: { "Content-Type": "application/json", "X-Miroir-Kiosk": root.dataset.token },
          body: JSON.stringify({ submission_id: entry.id, answers: entry.answers, lang: entry.lang }),
        });
        let body = {};
        try {
          body = await response.json();
        } catch (error) {
          body = {};
        }
        return { status: response.status, body: body };
      } finally {
        window.clearTimeout(timer);
      }
    }

    function setAside(entry) {
      const failures = (entry.failures || 0) + 1;
      const wait = Math.min(ASIDE_FIRST_MS * 2 ** (failures - 1), ASIDE_MAX_MS);
      writeQueue(
        readQueue().map((kept) =>
          kept.id === entry.id ? Object.assign({}, kept, { failures: failures, after: Date.now() + wait }) : kept
        )
      );
    }

    // Send the queue in order. An entry the server fails on is set aside and the others
    // go on; a network failure, or an answer about the whole tablet, stops the round.
    async function flushOnce() {
      const outcomes = {};
      for (const entry of readQueue()) {
        if (entry.after && entry.after > Date.now()) continue; // Set aside: its turn comes.
        let outcome;
        try {
          outcome = await send(entry);
        } catch (error) {
          break; // Offline, or the request timed out: the entry stays for the next try.
        }
        outcomes[entry.id] = outcome;
        if (DONE.has(outcome.status)) {
          forget(entry.id);
          needsSetup = false;
          continue;
        }
        if (STOP.has(outcome.status)) {
          needsSetup = outcome.status === 403 && outcome.body.code === "kiosk.forbidden";
          break; // Not set up (or revoked), not open yet, too many requests: try later.
        }
        setAside(entry); // This entry only (5xx, or an unexpected refusal): the rest goes on.
      }
      showStatus();
      return outcomes;
    }

    function flush() {
      chain = chain.then(flushOnce, flushOnce);
      return chain;
    }

    function answers() {
      const values = {};
      const names = new Set();
      // A question the survey logic skips has its inputs disabled (logic.js): not sent.
      for (const element of form.elements) {
        if (element.name && element.name.indexOf(FIELD_PREFIX) === 0 && !element.disabled) names.add(element.name);
      }
      for (const name of names) {
        const field = form.elements.namedItem(name);
        if (field && field.value) values[name.slice(FIELD_PREFIX.length)] = field.value;
      }
      return values;
    }

    function clearErrors() {
      for (const note of form.querySelectorAll("[data-kiosk-error]")) note.remove();
      for (const question of form.querySelectorAll(".question.has-error")) {
        question.classList.remove("has-error");
      }
      errors.hidden = true;
      errors.textContent = "";
    }

    function markError(question, message) {
      question.classList.add("has-error");
      const note = document.createElement("p");
      note.className = "errorlist";
      note.dataset.kioskError = "1";
      note.textContent = message;
      const legend = question.querySelector("legend, label.question-text");
      if (legend) legend.after(note);
      else question.prepend(note);
    }

    // Required questions are checked here: offline, nobody else can say what is missing.
    function missingRequired() {
      const missing = [];
      const seen = new Set();
      for (const element of form.querySelectorAll("[required]:not(:disabled)")) {
        if (seen.has(element.name)) continue;
        seen.add(element.name);
        const field = form.elements.namedItem(element.name);
        if (!field || !field.value) missing.push(element);
      }
      return missing;
    }

    function showProblems(messages) {
      errors.textContent = "";
      const list = document.createElement("ul");
      for (const message of messages) {
        const item = document.createElement("li");
        item.textContent = message;
        list.append(item);
      }
      errors.append(list);
      errors.hidden = false;
      errors.focus();
    }

    function resetForm() {
      window.clearTimeout(resetTimer);
      window.clearTimeout(idleTimer);
      form.reset();
      clearErrors();
      thanks.hidden = true;
      survey.hidden = false;
      window.scrollTo(0, 0);
      title.focus();
    }

    function showThanks(stored) {
      thanksText.textContent = stored ? root.dataset.msgThanksStored : root.dataset.msgThanksQueued;
      survey.hidden = true;
      thanks.hidden = false;
      window.scrollTo(0, 0);
      thanksText.focus();
      resetTimer = window.setTimeout(resetForm, seconds("resetSeconds", 6));
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.sending) return; // A second tap while the first is on its way.
      clearErrors();
      const missing = missingRequired();
      if (missing.length) {
        for (const element of missing) {
          markError(element.closest(".question") || element.parentNode, root.dataset.msgRequired);
        }
        missing[0].focus();
        return;
      }
      window.clearTimeout(idleTimer);
      const entry = { id: uuid4(), answers: answers(), lang: root.dataset.lang, queued: Date.now() };
      writeQueue(readQueue().concat([entry]));
      form.dataset.sending = "1";
      let outcome = null;
      try {
        if (navigator.onLine !== false) outcome = (await flush())[entry.id] || null;
      } finally {
        delete form.dataset.sending;
      }
      if (outcome && outcome.status === 400 && outcome.body.problems) {
        showProblems(outcome.body.problems.map((problem) => problem.message));
        return;
      }
      showThanks(Boolean(outcome && (outcome.status === 200 || outcome.status === 201)));
      showStatus();
    });

    function restartIdle() {
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(() => {
        if (Object.keys(answers()).length) resetForm();
      }, seconds("idleSeconds", 120));
    }
    form.addEventListener("change", restartIdle);
    form.addEventListener("input", restartIdle);
    root.querySelector("[data-kiosk-next]").addEventListener("click", resetForm);

    const fullscreen = root.querySelector("[data-kiosk-fullscreen]");
    if (document.fullscreenEnabled) {
      fullscreen.hidden = false;
      fullscreen.addEventListener("click", () => {
        document.documentElement.requestFullscreen().catch(() => {});
      });
      document.addEventListener("fullscreenchange", () => {
        fullscreen.hidden = Boolean(document.fullscreenElement);
      });
    }

    window.addEventListener("online", flush);
    window.setInterval(() => {
      if (readQueue().length) flush();
    }, seconds("retrySeconds", 15));
    showStatus();
    if (readQueue().length) flush();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
