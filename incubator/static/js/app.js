// incubator: small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});

// One tap, one submission: a form marked data-once cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-once")) { return; }
  if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
  form.setAttribute("data-sent", "1");
  var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
  for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
  // A slow answer must not leave the form dead if the user comes back.
  window.setTimeout(function () {
    form.removeAttribute("data-sent");
    for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = false; }
  }, 15000);
});

// Drafts: a form marked data-draft keeps what was typed on this phone until it is
// sent, so a lost signal or a closed page loses nothing.
(function () {
  var skip = { csrf_token: 1, submission_key: 1, version: 1, org: 1 };
  function fields(form) {
    var list = [];
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || skip[el.name] || el.type === "file" || el.type === "submit") {
        continue;
      }
      list.push(el);
    }
    return list;
  }
  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      data[el.name] = (el.type === "checkbox") ? el.checked : el.value;
    });
    try { window.localStorage.setItem("draft:" + form.getAttribute("data-draft"),
                                      JSON.stringify(data)); } catch (e) { /* full */ }
  }
  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    try { window.localStorage.removeItem("draft:" + el.getAttribute("data-draft-clear")); }
    catch (e) { /* ignore */ }
  });
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = "draft:" + form.getAttribute("data-draft");
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(key) || "null"); }
    catch (e) { stored = null; }
    var untouched = !form.querySelector(".is-invalid, .alert-danger");
    if (stored && untouched) {
      fields(form).forEach(function (el) {
        if (!(el.name in stored)) { return; }
        if (el.type === "checkbox") { el.checked = !!stored[el.name]; }
        else { el.value = stored[el.name]; }
      });
      var note = document.getElementById("draft-note");
      if (note) { note.classList.remove("d-none"); }
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
  });
})();

// A table wider than a phone scrolls inside its box: keyboard users can reach it
// (tab to it, then arrow keys), as WCAG 2.1.1 asks.
(function () {
  function focusable() {
    var boxes = document.querySelectorAll(".table-responsive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusable);
  } else { focusable(); }
  window.addEventListener("resize", focusable);
})();
