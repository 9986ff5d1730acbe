// Questionnaire autosave: let htmx show the server's message for a refused answer (422/409)
// in the question's status slot instead of dropping it. Pages work without this file.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (status === 422 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
// On a phone the questionnaire's dimension navigation starts folded, so that the first question
// is in view (the page renders it open: without this file nothing is hidden).
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(max-width: 767px)").matches) {
    document.querySelectorAll("details.dim-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
  }
})();
