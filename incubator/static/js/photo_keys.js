// The photo page: ← and → go to the previous and next photo, Escape back to the
// activity (the links on the page do the same without this script).
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
  if (event.target.closest("input, textarea, select")) { return; }
  var selector = { ArrowLeft: "a[rel=prev]", ArrowRight: "a[rel=next]",
                   Escape: "a[data-back]" }[event.key];
  var link = selector && document.querySelector(selector);
  if (link) { event.preventDefault(); window.location.href = link.href; }
});
