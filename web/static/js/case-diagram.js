// The case page's diagram: the bpmn-js *viewer* (from make assets) with the current steps marked.
(function () {
  "use strict";
  function show() {
    var box = document.getElementById("cg-diagram");
    if (!box) { return; }
    if (typeof window.BpmnJS !== "function") {
      box.textContent = box.getAttribute("data-unavailable");
      return;
    }
    var current = JSON.parse(box.getAttribute("data-current") || "[]");
    var viewer = new window.BpmnJS({ container: box });
    fetch(box.getAttribute("data-diagram-url"), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        current.forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "cg-current"); }
        });
        box.setAttribute("data-rendered", "true");
      })
      .catch(function (err) { box.textContent = String(err && err.message || err); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", show); } else { show(); }
})();
