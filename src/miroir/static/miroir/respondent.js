/* Respondent pages, progressive enhancement: the form works without this file.
   - Unfinished answers are kept in this browser's localStorage and filled in again when the
     respondent comes back; they are removed once the answers are accepted. Nothing of this
     is sent anywhere.
   - One submission id per form, so that a double click or a retry is recognised. */
(function () {
  "use strict";

  const PREFIX = "miroir-draft:";
  const PENDING = "miroir-draft-pending";
  const MAX_AGE_MS = 30 * 24 * 3600 * 1000;
  const FIELD_PREFIX = "q-";

  function openStorage() {
    try {
      const storage = window.localStorage;
      storage.setItem(PREFIX + "probe", "1");
      storage.removeItem(PREFIX + "probe");
      return storage;
    } catch (error) {
      return null; // Private browsing or storage disabled: the form still works.
    }
  }

  function forgetOldDrafts(storage) {
    const now = Date.now();
    for (let index = storage.length - 1; index >= 0; index -= 1) {
      const key = storage.key(index);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      try {
        const draft = JSON.parse(storage.getItem(key));
        if (!draft || now - draft.saved > MAX_AGE_MS) storage.removeItem(key);
      } catch (error) {
        storage.removeItem(key);
      }
    }
  }

  function answerNames(form) {
    const names = new Set();
    for (const element of form.elements) {
      if (element.name && element.name.indexOf(FIELD_PREFIX) === 0) names.add(element.name);
    }
    return Array.from(names);
  }

  function currentValues(form) {
    const values = {};
    for (const name of answerNames(form)) {
      const field = form.elements.namedItem(name);
      if (field && field.value) values[name] = field.value;
    }
    return values;
  }

  function save(storage, form, key) {
    try {
      storage.setItem(PREFIX + key, JSON.stringify({ saved: Date.now(), values: currentValues(form) }));
    } catch (error) {
      // Storage full: keeping the draft is a convenience, never a requirement.
    }
  }

  function restore(storage, form, key) {
    let draft = null;
    try {
      draft = JSON.parse(storage.getItem(PREFIX + key));
    } catch (error) {
      return;
    }
    if (!draft || !draft.values) return;
    let restored = false;
    for (const name of Object.keys(draft.values)) {
      const field = form.elements.namedItem(name);
      // What the server sent back (answers after an error) wins over the saved draft.
      if (!field || field.value) continue;
      field.value = draft.values[name];
      restored = restored || field.value === draft.values[name];
    }
    if (restored && form.dataset.restored) {
      const note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "status");
      note.textContent = form.dataset.restored;
      form.parentNode.insertBefore(note, form);
    }
  }

  function newSubmissionId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function enhanceForm(storage, form) {
    const key = form.dataset.draftKey;
    if (storage && key) {
      restore(storage, form, key);
      form.addEventListener("change", () => save(storage, form, key));
      form.addEventListener("input", () => save(storage, form, key));
    }
    form.addEventListener("submit", (event) => {
      if (form.dataset.sending) {
        event.preventDefault(); // A second click while the first is on its way.
        return;
      }
      const field = form.elements.namedItem("submission_id");
      if (field && !field.value) field.value = newSubmissionId();
      form.dataset.sending = "1";
      const button = form.querySelector("button[type=submit]");
      if (button) button.setAttribute("aria-disabled", "true");
      if (storage && key) storage.setItem(PENDING, key);
    });
    // Coming back with the browser's back button: allow sending again (same submission id).
    window.addEventListener("pageshow", () => {
      delete form.dataset.sending;
    });
  }

  function start() {
    const storage = openStorage();
    if (storage) {
      forgetOldDrafts(storage);
      if (document.body.hasAttribute("data-draft-done")) {
        const key = storage.getItem(PENDING);
        if (key) storage.removeItem(PREFIX + key);
        storage.removeItem(PENDING);
      }
    }
    for (const form of document.querySelectorAll("form[data-draft-key]")) enhanceForm(storage, form);
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
