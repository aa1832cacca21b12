// The studio's form editor: the form file edited as a list of fields (studio-form-fields.js) or as JSON text,
// two views of one document, and a live preview rendered by the server's own form renderer
// (web/forms/render.py), so what the analyst sees is what the task page shows.
import { downloadText, postJSON, setStatus, showProblems, submitFile, t } from "./studio-common.js";
import { FieldsView } from "./studio-form-fields.js";

const page = document.getElementById("cg-form-page");
const editor = document.getElementById("cg-form-text");
const preview = document.getElementById("cg-form-preview");
const lang = document.getElementById("cg-preview-lang");
const viewError = document.getElementById("cg-form-view-error");
const path = page.dataset.path;
const names = JSON.parse(document.getElementById("cg-form-names").textContent);
let timer = null;
let sequence = 0;
let view = "json";
// Until the fields view changes something, the file is sent as it was written (its own layout), so opening
// a form and deploying it unchanged is not a new version.
let fieldsChanged = false;

const fields = new FieldsView(document.getElementById("cg-form-fields"), names, page.dataset.lang, () => {
  fieldsChanged = true;
  schedule();
});

function serialise(doc) {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function currentText() {
  return view === "fields" && fieldsChanged ? serialise(fields.doc) : editor.value;
}

function showView(next) {
  view = next;
  page.dataset.view = next;
  for (const tab of page.querySelectorAll("[data-view-tab]")) {
    tab.setAttribute("aria-selected", String(tab.dataset.viewTab === next));
  }
  document.getElementById("cg-form-fields").hidden = next !== "fields";
  document.getElementById("cg-form-json").hidden = next !== "json";
}

// Switching views serialises or parses the one document; JSON that does not parse keeps the JSON view.
function switchTo(next) {
  if (next === view) { return; }
  viewError.textContent = "";
  if (next === "json") {
    if (fieldsChanged) { editor.value = serialise(fields.doc); }
    fieldsChanged = false;
    showView("json");
    return;
  }
  let doc;
  try {
    doc = JSON.parse(editor.value);
  } catch (error) {
    viewError.textContent = t("fe.invalidJson", { message: error.message });
    return;
  }
  const problem = fields.load(doc);
  if (problem) {
    viewError.textContent = problem;
    return;
  }
  fieldsChanged = false;
  showView("fields");
}

async function refresh() {
  const mine = ++sequence;
  const result = await postJSON(page.dataset.previewUrl, { text: currentText(), path, lang: lang.value });
  if (mine !== sequence) { return; } // a newer keystroke's preview is on its way
  if (!result.ok) {
    setStatus(t("failed", { message: result.data.error ? result.data.error.message : result.status }), "error");
    return;
  }
  showProblems(result.data.problems, path);
  if (result.data.html !== null) {
    preview.innerHTML = result.data.html; // server-rendered and escaped by Jinja2 autoescape
    const form = preview.querySelector("form");
    if (form) { form.addEventListener("submit", (event) => event.preventDefault()); }
  }
  page.dataset.previewed = String(mine);
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 300);
}

// Tab inserts two spaces instead of leaving the textarea: a JSON editor without a library.
editor.addEventListener("keydown", (event) => {
  if (event.key === "Tab" && !event.shiftKey) {
    event.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    schedule();
  }
});
editor.addEventListener("input", schedule);
lang.addEventListener("change", refresh);
for (const tab of page.querySelectorAll("[data-view-tab]")) {
  tab.addEventListener("click", () => switchTo(tab.dataset.viewTab));
}

async function run(kind) {
  const url = kind === "deploy" ? page.dataset.deployUrl : page.dataset.validateUrl;
  const result = await submitFile(kind, url, path, currentText());
  if (result.problems !== null && !(kind === "deploy" && result.ok)) { showProblems(result.problems, path); }
}

page.querySelector('[data-action="validate"]').addEventListener("click", () => run("validate"));
page.querySelector('[data-action="deploy"]').addEventListener("click", () => run("deploy"));
page.querySelector('[data-action="download"]').addEventListener("click", () => {
  downloadText(path.split("/").pop(), currentText(), "application/json");
});

showView("json");
switchTo("fields"); // the fields view opens first; a file it cannot show stays in JSON with the reason
page.dataset.ready = "true";
refresh();
