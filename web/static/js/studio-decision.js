// The studio's decision-table editor: dmn-js Modeler (global DmnJS from static/vendor); one tab per view
// (the DRD and each decision table); validate/deploy the file as a whole.
import { downloadText, setStatus, showProblems, submitFile, t } from "./studio-common.js";
import { dmnTranslateOptions, translateDmnTitles } from "./studio-translate.js";
import { fitDiagram, stepZoom, wireZoomButtons } from "./diagram-zoom.js";

const page = document.getElementById("cg-decision-page");
const box = document.getElementById("cg-dmn");
const path = page.dataset.path;
const OPEN_SMALLEST_SCALE = 0.75;

function start() {
  if (typeof window.DmnJS !== "function") {
    box.textContent = box.dataset.unavailable;
    return;
  }
  const modeler = new window.DmnJS({ container: box, ...dmnTranslateOptions() });
  window.cgDmn = modeler;
  translateDmnTitles(box);

  // The DRD is a diagram with a canvas; a table or literal expression is HTML, scaled with CSS zoom.
  const drdCanvas = () => {
    const view = modeler.getActiveView();
    return view && view.type === "drd" ? modeler.getActiveViewer().get("canvas") : null;
  };
  const htmlView = () => box.querySelector(".tjs-container, .dmn-literal-expression-container, .dmn-boxed-expression-container");
  function scaleHtml(scale) {
    const node = htmlView();
    if (!node) { return; }
    node.style.zoom = String(scale);
    box.dataset.zoom = String(scale);
  }
  // A decision table scrolls inside its own container, so the container's width is not the table's: measure
  // the table, or "fit" leaves its right-hand columns (the rule notes) out of view.
  function contentWidth(node) {
    const table = node.querySelector(".tjs-table");
    return Math.max(node.scrollWidth, table ? table.scrollWidth + 2 : 0, 1);
  }
  // smallest: the least scale to fit to; on opening a view the text stays readable and a wider table scrolls.
  function fit(smallest = 0) {
    const canvas = drdCanvas();
    if (canvas) {
      const palette = box.querySelector(".djs-palette");
      const leftInset = palette ? palette.getBoundingClientRect().right - box.getBoundingClientRect().left + 10 : 0;
      box.dataset.zoom = String(fitDiagram(canvas, { leftInset }));
      return;
    }
    const node = htmlView();
    if (!node) { return; }
    node.style.zoom = "1";
    scaleHtml(Math.max(smallest, Math.min(1, box.clientWidth / contentWidth(node))));
  }
  function step(direction) {
    const canvas = drdCanvas();
    if (canvas) { box.dataset.zoom = String(stepZoom(canvas, direction)); return; }
    const current = Number(box.dataset.zoom || 1);
    scaleHtml(Math.min(3, Math.max(0.3, direction > 0 ? current * 1.25 : current / 1.25)));
  }
  wireZoomButtons(box.parentElement, { in: () => step(1), out: () => step(-1), fit: () => fit() });

  // The DRD names the file's decisions (the definitions) by their name, never by the id, which is a code: its
  // box hides the id (studio.css) and, while the name is empty, says so where the name goes.
  function nameTheDefinitions() {
    for (const node of box.querySelectorAll(".dmn-definitions-name")) {
      node.dataset.placeholder = t("drdNoName");
      node.title = t("drdName");
    }
  }

  // A view's tab: the decision's (or, for the DRD, the definitions') name; an unnamed one says so.
  function viewName(view) {
    const name = (view.element.name || "").trim();
    if (name) { return name; }
    return view.type === "drd" ? t("drdUnnamed") : `⚠ ${view.element.id}`;
  }

  function tabs() {
    const holder = document.getElementById("cg-dmn-views");
    holder.replaceChildren();
    const active = modeler.getActiveView();
    for (const view of modeler.getViews()) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.view = view.element.id;
      button.textContent = viewName(view);
      button.setAttribute("aria-pressed", String(active && active.element === view.element));
      button.addEventListener("click", () => modeler.open(view));
      holder.append(button);
    }
  }

  // A problem's element is a decision (or table) id: open the view that shows it.
  function openElement(id) {
    const view = modeler.getViews().find((v) => v.element.id === id ||
      (v.element.decisionLogic && v.element.decisionLogic.id === id));
    if (view) { modeler.open(view); }
  }

  // The file's own text, and how the editor writes it back before any edit: while what it would write is
  // that, nothing was changed and the file goes as it was written (written back in dmn-js's layout, an
  // unchanged table deployed as a new version of every process that calls it).
  let original = null;
  let untouched = null;

  async function text() {
    const { xml } = await modeler.saveXML({ format: true });
    return original !== null && xml === untouched ? original : xml;
  }

  async function run(kind) {
    const xml = await text();
    const url = kind === "deploy" ? page.dataset.deployUrl : page.dataset.validateUrl;
    const result = await submitFile(kind, url, path, xml);
    if (result.problems !== null && !(kind === "deploy" && result.ok)) { showProblems(result.problems, path, openElement); }
  }

  // Fitted again once the web fonts are in: a table measured in the fallback font is narrower than drawn.
  const fitOnOpen = () => requestAnimationFrame(() => fit(OPEN_SMALLEST_SCALE));
  modeler.on("views.changed", () => { tabs(); nameTheDefinitions(); fitOnOpen(); if (document.fonts) { document.fonts.ready.then(fitOnOpen); } });
  page.querySelector('[data-action="validate"]').addEventListener("click", () => run("validate"));
  page.querySelector('[data-action="deploy"]').addEventListener("click", () => run("deploy"));
  page.querySelector('[data-action="download"]').addEventListener("click", async () => {
    downloadText(path.split("/").pop(), await text());
  });

  fetch(page.dataset.fileUrl, { credentials: "same-origin" })
    .then((r) => { if (!r.ok) { throw new Error(`HTTP ${r.status}`); } return r.text(); })
    .then(async (xml) => {
      await modeler.importXML(xml);
      untouched = (await modeler.saveXML({ format: true })).xml;
      original = xml;
    })
    .then(() => {
      // Open the first decision table rather than the DRD: tables are what analysts edit.
      const table = modeler.getViews().find((v) => v.type === "decisionTable");
      if (table) { modeler.open(table); }
      tabs();
      page.dataset.ready = "true";
    })
    .catch((err) => setStatus(t("failed", { message: err.message || err }), "error"));
}

start();
