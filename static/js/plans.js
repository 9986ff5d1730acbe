// The plan board: drag a card to another column, or focus it and press ← / →. Both fill in the
// card's own status form and submit it (htmx swaps the board); moving to "blocked" opens the
// reason field instead, because a block needs a reason. Without this file the forms still work.
(function () {
  "use strict";
  var ORDER = ["pending", "in_progress", "done", "blocked"];

  function formOf(card) { return card && card.querySelector("form.card-status"); }

  function move(card, status) {
    var form = formOf(card);
    if (!form) { return; }
    var select = form.querySelector("select[name=status]");
    if (!select || select.value === status) { return; }
    select.value = status;
    if (status === "blocked") {
      card.classList.add("needs-reason");
      var reason = form.querySelector("input[name=blocked_reason]");
      if (reason) { reason.focus(); }
      return;
    }
    form.requestSubmit();
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) { return; }
    event.dataTransfer.setData("text/plain", card.dataset.initiative);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (card) { card.classList.remove("dragging"); }
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest("[data-board] .board-column");
    if (column) { event.preventDefault(); column.classList.add("drop-here"); }
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-here"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest("[data-board] .board-column");
    if (!column) { return; }
    event.preventDefault();
    column.classList.remove("drop-here");
    var id = event.dataTransfer.getData("text/plain");
    move(document.getElementById("card-" + id), column.dataset.status);
  });
  document.addEventListener("keydown", function (event) {
    var card = event.target;
    if (!(card instanceof HTMLElement) || !card.matches(".board-card[tabindex]")) { return; }
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") { return; }
    var column = card.closest(".board-column");
    var at = ORDER.indexOf(column.dataset.status) + (event.key === "ArrowRight" ? 1 : -1);
    if (at < 0 || at >= ORDER.length) { return; }
    event.preventDefault();
    card.dataset.refocus = "1";
    move(card, ORDER[at]);
  });
  // After htmx swaps the board, keep the keyboard user on the card they moved.
  document.addEventListener("htmx:beforeSwap", function () {
    var moved = document.querySelector(".board-card[data-refocus]");
    window.__ordenaRefocus = moved ? moved.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var id = window.__ordenaRefocus;
    window.__ordenaRefocus = null;
    var card = id && document.getElementById(id);
    if (card) { card.focus(); }
  });
})();
