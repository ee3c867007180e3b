// The activity form's list of volunteers: a search box that narrows the list by
// name as one types (Chinese input methods included: the list follows each
// finished word, not the pinyin being composed) and how many are ticked. Without
// this script the plain list of checkboxes works as before.
"use strict";
(function () {
  document.querySelectorAll("[data-volunteer-picker]").forEach(function (box) {
    var tools = box.querySelector("[data-picker-tools]");
    var search = box.querySelector("[data-picker-search]");
    var count = box.querySelector("[data-picker-count]");
    var none = box.querySelector("[data-picker-none]");
    var rows = Array.prototype.slice.call(box.querySelectorAll("[data-name]"));
    if (!tools || !search || !rows.length) { return; }
    var text = box.getAttribute("data-count-text") || "{n} / {total}";
    var composing = false;

    function showCount() {
      var ticked = box.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = text.replace("{n}", ticked).replace("{total}", rows.length);
    }
    function filter() {
      var wanted = search.value.replace(/\s+/g, "").toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var name = row.getAttribute("data-name").replace(/\s+/g, "").toLowerCase();
        var match = !wanted || name.indexOf(wanted) !== -1;
        row.classList.toggle("d-none", !match);
        if (match) { shown += 1; }
      });
      none.classList.toggle("d-none", shown > 0);
    }

    search.addEventListener("compositionstart", function () { composing = true; });
    search.addEventListener("compositionend", function () { composing = false; filter(); });
    search.addEventListener("input", function (event) {
      if (composing || event.isComposing) { return; }
      filter();
    });
    // Enter in the search box must not send the whole form.
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.isComposing) { event.preventDefault(); }
    });
    box.addEventListener("change", function (event) {
      if (event.target.type !== "checkbox") { return; }
      showCount();
    });
    // Typing hours ticks the volunteer: the hours are theirs.
    box.addEventListener("input", function (event) {
      var el = event.target;
      if (!el.classList.contains("hours-input") || !el.value) { return; }
      var tick = el.closest("[data-name]").querySelector("input[type=checkbox]");
      if (tick && !tick.checked) { tick.checked = true; showCount(); }
    });
    tools.classList.remove("d-none");
    showCount();
  });
})();
