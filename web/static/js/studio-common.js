// Shared by the studio editors: translated texts, CSRF-carrying JSON posts, status line, problem lists.
// Plain ES module, no build step.

let cachedTexts = null;

export function texts() {
  if (!cachedTexts) {
    const node = document.getElementById("cg-studio-texts");
    cachedTexts = node ? JSON.parse(node.textContent) : {};
    // An editor's own texts (e.g. the form editor's fields view) come in further blocks marked data-cg-texts.
    for (const more of document.querySelectorAll("script[data-cg-texts]")) {
      Object.assign(cachedTexts, JSON.parse(more.textContent));
    }
  }
  return cachedTexts;
}

export function t(key, values = {}) {
  const template = texts()[key] || key;
  return template.replace(/\{(\w+)\}/g, (_m, name) => (name in values ? String(values[name]) : `{${name}}`));
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

// POST JSON with the session cookie; the CSRF token travels in the header the server checks (X-CSRFToken).
export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (_err) { data = null; }
  return { status: response.status, ok: response.ok, data: data || {} };
}

export function setStatus(message, kind = "info") {
  const node = document.getElementById("cg-studio-status");
  if (!node) { return; }
  node.textContent = message;
  node.dataset.kind = kind;
}

// A request that failed for a reason other than definition problems (403, 422 on the body shape, 500).
export function errorMessage(result) {
  const error = result.data && result.data.error;
  return t("failed", { message: error ? error.message : `HTTP ${result.status}` });
}

// Fill the problem list; problems of `path` with an element become links that call onSelect(elementId).
export function showProblems(problems, path, onSelect) {
  const list = document.getElementById("cg-problems");
  if (!list) { return; }
  list.replaceChildren();
  for (const problem of problems) {
    const item = document.createElement("li");
    item.dataset.file = problem.file;
    if (problem.element) { item.dataset.element = problem.element; }
    // The file's path (analysts edit files by path), then the element: in the page's words (`place`, its ids in
    // the title, `place_hint`), or as the engine wrote it when it cannot be worded.
    const where = document.createElement("span");
    where.className = "cg-problem-where";
    const file = document.createElement("code");
    file.textContent = problem.file;
    where.append(file);
    if (problem.place) {
      const place = document.createElement("span");
      place.className = "cg-problem-place";
      place.textContent = problem.place;
      if (problem.place_hint) { place.title = problem.place_hint; }
      where.append(" · ", place);
    } else if (problem.element) {
      const element = document.createElement("code");
      element.textContent = problem.element;
      where.append(" · ", element);
    }
    if (problem.file === path && problem.element && onSelect) {
      const link = document.createElement("a");
      link.href = "#";
      link.append(where);
      link.addEventListener("click", (event) => { event.preventDefault(); onSelect(problem.element); });
      item.append(link);
    } else {
      item.append(where);
    }
    // `text` is the line in the page's language (web/problem_texts.py); `message` the engine's English;
    // `hint` the codes the text names by their names (a decision's id), for finding them in the file.
    const words = document.createElement("span");
    words.className = "cg-problem-text";
    words.textContent = problem.text || problem.message;
    if (problem.hint) { words.title = problem.hint; }
    item.append(": ", words);
    list.append(item);
  }
  setStatus(problems.length ? t("problems", { n: problems.length }) : t("valid"), problems.length ? "error" : "ok");
}

export function deployedMessage(data) {
  if (data.unchanged) { return t("unchanged"); }
  const versions = (data.new_versions || []).map((v) => `${v.process_key} v${v.version}`).join(", ");
  return t("deployed", { versions: versions || t("none") });
}

export function downloadText(name, text, type = "application/xml") {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// Validate or deploy one file (laid over what is deployed).
// Returns {ok, problems, data}: problems is a list (maybe empty), or null when the request itself failed.
export async function submitFile(kind, url, path, text) {
  setStatus(t("working"));
  const result = await postJSON(url, { files: { [path]: text } });
  if (kind === "deploy" && result.ok) {
    showProblems([], path);
    setStatus(deployedMessage(result.data), "ok");
    return { ok: true, problems: [], data: result.data };
  }
  if (Array.isArray(result.data.problems)) {
    return { ok: result.ok, problems: result.data.problems, data: result.data };
  }
  setStatus(errorMessage(result), "error");
  return { ok: false, problems: null, data: result.data };
}
