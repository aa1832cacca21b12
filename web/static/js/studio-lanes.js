// Lanes on the modeler's canvas, named as people read them.
//
// By docs/bpmn-conventions.md a lane's `name` is a routing code: a role or department of the organisation.
// The routing and deploy validation read it, so the file keeps it as it is. On the canvas bpmn-js would draw
// that code; this module draws the role's or department's name in the page's language instead (the names
// the properties panel offers, web/studio/views.py _names_json), and an unknown or missing code as it is,
// in red with a warning sign. Only the drawn text changes: the business object, and so the saved XML, still
// carries the code.
//
// Typing on the canvas would put whatever the analyst types (a Chinese name) into the routing code, so a
// lane is never edited in place: double-clicking it (or pressing E) fires `cg.lane.rename`, on which the
// modeler page opens the properties panel's role select.

const PRIORITY = 1500; // before bpmn-js's own BpmnRenderer (1000)
const SVG_NS = "http://www.w3.org/2000/svg";
const UNKNOWN_FILL = "#d32f2f";

export function isLane(element) {
  const bo = element && !element.labelTarget && element.businessObject;
  return Boolean(bo && bo.$instanceOf && bo.$instanceOf("bpmn:Lane"));
}

// What the canvas shows for a lane: {text, known}. `names` maps a code to its name in the page's language.
export function laneLabel(code, names, words) {
  const trimmed = (code || "").trim();
  if (names.has(trimmed)) { return { text: names.get(trimmed), known: true, title: words.hint }; }
  if (!trimmed) { return { text: `⚠ ${words.none}`, known: false, title: `${words.none} ${words.hint}` }; }
  return { text: `⚠ ${trimmed}`, known: false, title: `${words.unknown} ${words.hint}` };
}

// A bpmn-js module (for additionalModules). `lanes` is [{value, label}], `words` the texts {unknown, none, hint}.
export function laneLabelModule(lanes, words) {
  const names = new Map((lanes || []).map((choice) => [choice.value, choice.label]));

  function LaneLabels(eventBus, bpmnRenderer, textRenderer) {
    // Draw the lane as bpmn-js does, then put the readable name where bpmn-js put the code.
    eventBus.on("render.shape", PRIORITY, (event) => {
      const { element, gfx, attrs } = event;
      if (!isLane(element)) { return undefined; }
      const shape = bpmnRenderer.drawShape(gfx, element, attrs || {});
      relabel(gfx, element, attrs || {});
      return shape;
    });

    function relabel(gfx, element, attrs) {
      const drawn = [...gfx.children].filter((node) => node.tagName === "text" && node.classList.contains("djs-label"));
      const fill = drawn.length ? drawn[0].getAttribute("fill") || drawn[0].style.fill : "";
      for (const node of drawn) { node.remove(); }
      const label = laneLabel(element.businessObject.name, names, words);
      const width = attrs.width || element.width;
      const height = attrs.height || element.height;
      const horizontal = !element.di || element.di.isHorizontal !== false;
      const text = textRenderer.createText(label.text, {
        box: { height: 30, width: horizontal ? height : width },
        align: "center-middle",
        style: { fill: label.known ? fill || "black" : UNKNOWN_FILL },
      });
      text.classList.add("djs-label", "cg-lane-label");
      if (!label.known) { text.classList.add("cg-lane-unknown"); }
      if (horizontal) { text.setAttribute("transform", `translate(0, ${height}) rotate(270)`); }
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = label.title;
      text.prepend(title);
      gfx.append(text);
    }

    // No typing into a lane's code on the canvas; the page offers the role select instead.
    eventBus.on("directEditing.activate.allowed", PRIORITY, (event) => {
      if (!isLane(event.element)) { return undefined; }
      eventBus.fire("cg.lane.rename", { element: event.element });
      return false;
    });
  }
  LaneLabels.$inject = ["eventBus", "bpmnRenderer", "textRenderer"];

  return { __init__: ["cgLaneLabels"], cgLaneLabels: ["type", LaneLabels] };
}
