// A live count under a text box marked data-char-counter: "typed N / at most M",
// M being the box's own maxlength (the server's limit). Without this script the
// server's own message still refuses a text that is too long.
"use strict";
(function () {
  document.querySelectorAll("[data-char-counter]").forEach(function (box) {
    var field = box.querySelector("textarea[maxlength], input[maxlength]");
    if (!field) { return; }
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var text = box.getAttribute("data-counter-text") || "{n} / {max}";
    var out = document.createElement("div");
    out.className = "form-text char-counter";
    out.id = (field.id || "field") + "-counter";
    out.setAttribute("aria-live", "polite");
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + out.id : out.id);
    field.insertAdjacentElement("afterend", out);
    function show() {
      // Characters as the server counts them (code points, not UTF-16 units).
      var n = Array.from(field.value).length;
      out.textContent = text.replace("{n}", n).replace("{max}", max);
      out.classList.toggle("text-danger", n >= max);
    }
    field.addEventListener("input", show);
    show();
  });
})();
