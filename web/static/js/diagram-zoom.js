// Fit a bpmn-js / dmn-js (DRD) canvas to its box and wire the zoom buttons (web/templates/_zoom.html) to it.
// Shared by the studio's modeler and decision editor and the case page's viewer. Plain ES module.

const MIN_SCALE = 0.2;
const MAX_SCALE = 4;
const STEP = 1.25;

// The whole diagram in view, centred in the part of the box not covered on the left (the modeler's
// palette floats there), never enlarged beyond 1:1. Returns the scale.
export function fitDiagram(canvas, { leftInset = 0, margin = 20 } = {}) {
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width || !outer.height) { return canvas.zoom(); }
  const availableWidth = Math.max(outer.width - leftInset - 2 * margin, 1);
  const availableHeight = Math.max(outer.height - 2 * margin, 1);
  const scale = Math.min(availableWidth / inner.width, availableHeight / inner.height, 1);
  const padLeft = leftInset + (outer.width - leftInset - inner.width * scale) / 2;
  const padTop = (outer.height - inner.height * scale) / 2;
  canvas.viewbox({
    x: inner.x - padLeft / scale,
    y: inner.y - padTop / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
  return scale;
}

export function stepZoom(canvas, direction) {
  const current = canvas.zoom();
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, direction > 0 ? current * STEP : current / STEP));
  canvas.zoom(next, "auto");
  return next;
}

// Buttons inside `holder` with data-zoom="in" | "out" | "fit" call the matching function of `actions`.
export function wireZoomButtons(holder, actions) {
  for (const button of holder.querySelectorAll("[data-zoom]")) {
    button.addEventListener("click", () => {
      const action = actions[button.dataset.zoom];
      if (action) { action(); }
    });
  }
}

// Zoom buttons for a diagram canvas; `fit` is the page's own fit (it knows what floats over the box).
export function canvasZoom(holder, getCanvas, fit) {
  wireZoomButtons(holder, {
    in: () => stepZoom(getCanvas(), 1),
    out: () => stepZoom(getCanvas(), -1),
    fit,
  });
}

// Dragging the empty canvas moves the diagram: the plain viewer has no navigation of its own.
export function dragToPan(box, getCanvas) {
  let last = null;
  box.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("[data-zoom]")) { return; }
    last = { x: event.clientX, y: event.clientY };
    box.setPointerCapture(event.pointerId);
  });
  box.addEventListener("pointermove", (event) => {
    if (!last) { return; }
    getCanvas().scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
    last = { x: event.clientX, y: event.clientY };
  });
  const stop = () => { last = null; };
  box.addEventListener("pointerup", stop);
  box.addEventListener("pointercancel", stop);
}
