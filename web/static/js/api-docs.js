// The API reference page: Swagger UI (global SwaggerUIBundle from static/vendor) over the OpenAPI document.
// Nothing leaves the district's network: no validator badge (it calls validator.swagger.io) and no
// remote presets. Requests tried from the page run with the session cookie, so unsafe ones carry the
// page's CSRF token like every other fetch of the UI.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("cg-api-reference");
    if (!box) { return; }
    if (typeof window.SwaggerUIBundle === "undefined") {
      box.textContent = box.getAttribute("data-unavailable");
      return;
    }
    var csrf = document.querySelector('meta[name="csrf-token"]');
    window.SwaggerUIBundle({
      url: box.getAttribute("data-spec-url"),
      domNode: box,
      deepLinking: true,
      validatorUrl: null,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      requestInterceptor: function (request) {
        var sameSite = request.url.charAt(0) === "/" || request.url.indexOf(window.location.origin + "/") === 0;
        if (csrf && sameSite) { request.headers["X-CSRFToken"] = csrf.getAttribute("content"); }
        return request;
      },
      onComplete: function () { box.setAttribute("data-rendered", "true"); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
