// The studio's form editor: the form file as JSON in a textarea, and a live preview rendered by the
// server's own form renderer (web/forms/render.py), so what the analyst sees is what the task page shows.
import { downloadText, postJSON, setStatus, showProblems, submitFile, t } from "./studio-common.js";

const page = document.getElementById("cg-form-page");
const editor = document.getElementById("cg-form-text");
const preview = document.getElementById("cg-form-preview");
const lang = document.getElementById("cg-preview-lang");
const path = page.dataset.path;
let timer = null;
let sequence = 0;

async function refresh() {
  const mine = ++sequence;
  const result = await postJSON(page.dataset.previewUrl, { text: editor.value, path, lang: lang.value });
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

async function run(kind) {
  const url = kind === "deploy" ? page.dataset.deployUrl : page.dataset.validateUrl;
  const result = await submitFile(kind, url, path, editor.value);
  if (result.problems !== null && !(kind === "deploy" && result.ok)) { showProblems(result.problems, path); }
}

page.querySelector('[data-action="validate"]').addEventListener("click", () => run("validate"));
page.querySelector('[data-action="deploy"]').addEventListener("click", () => run("deploy"));
page.querySelector('[data-action="download"]').addEventListener("click", () => {
  downloadText(path.split("/").pop(), editor.value, "application/json");
});

refresh();
