/* Survey logic in the browser, progressive enhancement: the server decides what is asked.
   Each question carries data-item (its code) and, when it has rules, data-logic:
   {"show_when": [{"item": code, "in": [answer, …]}, …], "end_when": [answer, …]}.
   A question is asked when every condition names an earlier question that was asked and
   answered with one of the listed answers, and no earlier answer ended the survey — the
   rules of miroir/instruments/logic.py. Questions not asked are hidden and their inputs
   disabled, so that the form neither sends nor requires them. */
(function () {
  "use strict";

  const FIELD_PREFIX = "q-";

  function rules(question) {
    try {
      const parsed = JSON.parse(question.dataset.logic || "{}");
      return { show: parsed.show_when || [], end: parsed.end_when || [] };
    } catch (error) {
      return { show: [], end: [] };
    }
  }

  function answerOf(form, code) {
    const field = form.elements.namedItem(FIELD_PREFIX + code);
    return field && field.value ? field.value : null;
  }

  function apply(form) {
    const answers = new Map(); // Answers of the questions asked so far.
    let ended = false;
    for (const question of form.querySelectorAll("[data-item]")) {
      const code = question.dataset.item;
      const rule = rules(question);
      const asked =
        !ended &&
        rule.show.every((condition) => {
          const answer = answers.get(condition.item);
          return answer !== undefined && condition.in.indexOf(answer) !== -1;
        });
      question.hidden = !asked;
      for (const input of question.querySelectorAll("input, textarea, select")) input.disabled = !asked;
      if (!asked) continue;
      const answer = answerOf(form, code);
      if (answer === null) continue;
      answers.set(code, answer);
      if (rule.end.indexOf(answer) !== -1) ended = true;
    }
    for (const note of form.querySelectorAll("[data-logic-end]")) note.hidden = !ended;
  }

  function enhance(form) {
    apply(form);
    form.addEventListener("change", () => apply(form));
    form.addEventListener("input", () => apply(form));
    // A form reset (the kiosk's next respondent) clears the answers after this event.
    form.addEventListener("reset", () => window.setTimeout(() => apply(form), 0));
  }

  function start() {
    const forms = new Set();
    for (const question of document.querySelectorAll("form [data-item]")) forms.add(question.closest("form"));
    for (const form of forms) enhance(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
