// The case page's diagram: the bpmn-js *viewer* (from make assets) with the current steps marked,
// fitted to its box on open, with zoom buttons and drag to move.
import { canvasZoom, dragToPan, fitDiagram } from "./diagram-zoom.js";

function show() {
  const box = document.getElementById("cg-diagram");
  if (!box) { return; }
  if (typeof window.BpmnJS !== "function") {
    box.textContent = box.getAttribute("data-unavailable");
    return;
  }
  const current = JSON.parse(box.getAttribute("data-current") || "[]");
  const viewer = new window.BpmnJS({ container: box });
  const canvas = () => viewer.get("canvas");
  window.cgViewer = viewer; // for the browser tests
  fetch(box.getAttribute("data-diagram-url"), { credentials: "same-origin" })
    .then((r) => r.text())
    .then((xml) => viewer.importXML(xml))
    .then(() => {
      const registry = viewer.get("elementRegistry");
      fitDiagram(canvas());
      current.forEach((id) => { if (registry.get(id)) { canvas().addMarker(id, "cg-current"); } });
      canvasZoom(box.parentElement, canvas, () => fitDiagram(canvas()));
      dragToPan(box, canvas);
      box.setAttribute("data-rendered", "true");
    })
    .catch((err) => { box.textContent = String((err && err.message) || err); });
}

show();
