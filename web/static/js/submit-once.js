// A form posts once: a double click (or a second Enter) while the first post is on its way would send the
// same step twice, and the second would be answered 409 although the first went through. The buttons stay
// enabled (a disabled button's name and value would not be posted); a page the browser shows again from
// its back/forward cache, or a post that left the page where it was (a download), may post again.
(function () {
  "use strict";
  var AGAIN_AFTER_MS = 15000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (event.defaultPrevented) return;  // refused in the page (a field to correct): nothing was sent
    if (form.hasAttribute("data-cg-posting")) { event.preventDefault(); return; }
    form.setAttribute("data-cg-posting", "");
    window.setTimeout(function () { form.removeAttribute("data-cg-posting"); }, AGAIN_AFTER_MS);
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-cg-posting]"), function (form) {
      form.removeAttribute("data-cg-posting");
    });
  });
})();
