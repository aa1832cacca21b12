// The studio's BPMN modeler page: bpmn-js Modeler (global BpmnJS from static/vendor), our properties panel,
// validate/deploy against the server, problems marked on their elements.
import { downloadText, setStatus, showProblems, submitFile, t } from "./studio-common.js";
import { PropertiesPanel } from "./studio-properties.js";
import { bpmnTranslateModules, translatePopupSearch } from "./studio-translate.js";
import { laneLabelModule } from "./studio-lanes.js";
import { canvasZoom, fitDiagram } from "./diagram-zoom.js";

const page = document.getElementById("cg-modeler-page");
const canvasBox = document.getElementById("cg-canvas");
const path = page.dataset.path;
let marked = [];
let dirty = false;
// The text the diagram was loaded from. Sent as it was while nothing has been edited: written back by the
// modeler (its own layout, no comments) an unchanged diagram would deploy as a new version.
let original = null;

function start() {
  if (typeof window.BpmnJS !== "function") {
    canvasBox.textContent = canvasBox.dataset.unavailable;
    return;
  }
  const names = JSON.parse(document.getElementById("cg-modeler-names").textContent);
  // Lanes drawn with the names of their roles or departments; the file keeps the codes (studio-lanes.js).
  const lanes = laneLabelModule(names.lanes, { unknown: t("markUnknownLane"), none: t("laneNoCode"), hint: t("laneCanvasHint") });
  const modeler = new window.BpmnJS({ container: canvasBox, additionalModules: [...bpmnTranslateModules(), lanes] });
  const panel = new PropertiesPanel(modeler, document.getElementById("cg-properties"), names);
  window.cgModeler = modeler; // for the browser tests and for the curious analyst's console
  translatePopupSearch(modeler);
  // A lane is renamed by choosing its role in the properties panel, never by typing on the canvas.
  modeler.on("cg.lane.rename", ({ element }) => {
    modeler.get("selection").select(element);
    panel.chooseLaneCode(element);
    setStatus(t("laneRename"));
  });

  // SpiffWorkflow reads loopDataInputRef/loopDataOutputRef as the *names* of case variables, where BPMN
  // expects ids of data elements; bpmn-moddle drops such unresolved references and would write the diagram
  // back without them. Keep each as a stand-in object with that id, so the export carries the name as it was.
  function keepUnresolvedReferences(warnings) {
    const moddle = modeler.get("moddle");
    for (const warning of warnings || []) {
      if (!warning.element || !warning.property || typeof warning.value !== "string") { continue; }
      const name = warning.property.replace(/^bpmn:/, "");
      const descriptor = warning.element.$descriptor.propertiesByName[name];
      if (!descriptor || !descriptor.isReference) { continue; }
      const standIn = moddle.create("bpmn:DataInput", { id: warning.value });
      if (descriptor.isMany) { warning.element.get(name).push(standIn); } else { warning.element.set(name, standIn); }
    }
  }

  async function load(xml) {
    const { warnings } = await modeler.importXML(xml);
    original = xml;
    keepUnresolvedReferences(warnings);
    fit();
    clearMarks();
    panel.show(null);
    dirty = false;
    page.dataset.ready = "true";
  }

  // The whole diagram in the window, clear of the palette that floats over the canvas's left edge.
  function fit() {
    const palette = canvasBox.querySelector(".djs-palette");
    const leftInset = palette ? palette.getBoundingClientRect().right - canvasBox.getBoundingClientRect().left + 10 : 0;
    return fitDiagram(modeler.get("canvas"), { leftInset });
  }

  function clearMarks() {
    const canvas = modeler.get("canvas");
    for (const id of marked) { canvas.removeMarker(id, "cg-problem"); }
    modeler.get("overlays").remove({ type: "cg-problem" });
    marked = [];
    panel.setProblems([], path);
  }

  function select(id) {
    const element = modeler.get("elementRegistry").get(id);
    if (!element) { return; }
    modeler.get("selection").select(element);
    modeler.get("canvas").scrollToElement(element);
  }

  // Each problem of this file with an element: a red marker and a badge carrying the message.
  function mark(problems) {
    clearMarks();
    const registry = modeler.get("elementRegistry");
    const byElement = new Map();
    for (const p of problems) {
      if (p.file === path && p.element && registry.get(p.element)) {
        byElement.set(p.element, [...(byElement.get(p.element) || []), p.text || p.message]);
      }
    }
    for (const [id, messages] of byElement) {
      modeler.get("canvas").addMarker(id, "cg-problem");
      const badge = document.createElement("div");
      badge.className = "cg-problem-badge";
      badge.dataset.element = id;
      badge.title = messages.join("\n");
      badge.textContent = String(messages.length);
      modeler.get("overlays").add(id, "cg-problem", { position: { top: -10, right: 10 }, html: badge });
      marked.push(id);
    }
    showProblems(problems, path, select);
    panel.setProblems(problems, path);
  }

  async function xml() {
    // Every edit goes through the command stack (the canvas, the properties panel): nothing to undo means
    // the diagram is as it was loaded, or edited and undone back to it.
    if (original !== null && !modeler.get("commandStack").canUndo()) { return original; }
    const { xml: text } = await modeler.saveXML({ format: true });
    return text;
  }

  async function run(kind) {
    const url = kind === "deploy" ? page.dataset.deployUrl : page.dataset.validateUrl;
    const result = await submitFile(kind, url, path, await xml());
    if (result.problems === null) { return; }
    if (kind === "deploy" && result.ok) {
      clearMarks();
      dirty = false;
      return;
    }
    mark(result.problems);
  }

  canvasZoom(canvasBox.parentElement, () => modeler.get("canvas"), fit);
  modeler.on("commandStack.changed", () => { dirty = true; });
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = t("unsaved"); } });
  page.querySelector('[data-action="validate"]').addEventListener("click", () => run("validate"));
  page.querySelector('[data-action="deploy"]').addEventListener("click", () => run("deploy"));
  page.querySelector('[data-action="download"]').addEventListener("click", async () => {
    downloadText(path.split("/").pop(), await xml());
  });
  page.querySelector('[data-action="open"]').addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) { await load(await file.text()); dirty = true; }
  });

  fetch(page.dataset.diagramUrl, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) { throw new Error(`HTTP ${r.status}`); } return r.text(); })
    .then(load)
    .catch((err) => setStatus(t("failed", { message: err.message || err }), "error"));
}

start();
