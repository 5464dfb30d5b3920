/* Self-check quizzes (rendered by _ext/quiz.py): check an answer and say whether it is right.
   Plain JavaScript, no library, nothing fetched. Without it the quiz still works as questions
   whose answers sit behind "Show the answer" (a <details> element). Does nothing on pages
   without a quiz. */
(function () {
  "use strict";

  // A number as a reader types it: 20.8, -3, .5, 1.5e23, 1,234.5, "20.8 %", 2.3×10^22 or 2.3x10^22.
  function parseNumber(text) {
    var t = String(text).trim().replace(/[\s%]/g, "").replace(/\u2212/g, "-");
    t = t.replace(/^([-+]?[\d.,]+)[x\u00d7\*]10\^?([-+]?\d+)$/i, "$1e$2");
    if (/^[-+]?\d{1,3}(,\d{3})+(\.\d*)?(e[-+]?\d+)?$/i.test(t)) t = t.replace(/,/g, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
    return parseFloat(t);
  }

  function say(question, text, state) {
    var feedback = question.querySelector(".quiz-feedback");
    feedback.textContent = text;
    question.classList.remove("quiz-correct", "quiz-wrong", "quiz-hint");
    if (state) question.classList.add(state);
  }

  function check(question) {
    var whys = question.querySelectorAll(".quiz-why");
    for (var i = 0; i < whys.length; i++) whys[i].hidden = true;
    var right;
    if (question.dataset.type === "choice") {
      var chosen = question.querySelector("input[type=radio]:checked");
      if (!chosen) { say(question, "Choose an option first.", "quiz-hint"); return; }
      right = chosen.closest(".quiz-option").dataset.correct === "true";
      var why = question.querySelector('.quiz-why[data-option="' + chosen.value + '"]');
      if (why) why.hidden = false;
      say(question, right ? "Correct." : "Not quite: see why below, then try again or show the answer.",
          right ? "quiz-correct" : "quiz-wrong");
    } else {
      var input = question.querySelector(".quiz-number input");
      var x = parseNumber(input.value);
      if (isNaN(x)) { say(question, "Enter a number, such as 20.8 or 1.5e23.", "quiz-hint"); return; }
      var answer = parseFloat(question.dataset.answer);
      var tolerance = Math.max(parseFloat(question.dataset.atol), parseFloat(question.dataset.rtol) * Math.abs(answer));
      right = Math.abs(x - answer) <= tolerance;
      say(question, right ? "Correct." : (x > answer ? "Not quite: too high." : "Not quite: too low.") +
          (right ? "" : " Try again, or show the answer."), right ? "quiz-correct" : "quiz-wrong");
    }
    if (right) question.querySelector("details.quiz-answer").open = true;
  }

  function init() {
    var questions = document.querySelectorAll(".quiz .quiz-question");
    Array.prototype.forEach.call(questions, function (question) {
      var button = question.querySelector(".quiz-check");
      if (!button) return;
      button.addEventListener("click", function () { check(question); });
      var input = question.querySelector(".quiz-number input");
      if (input) {
        input.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); check(question); }
        });
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
