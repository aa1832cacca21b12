// The form editor's "fields" view: the form file's fields edited as a form (key, label, type, required,
// options and where they come from, visibility rule). It edits the parsed form file in place and keeps every
// member it does not show (minLength, pattern, ui:help, allOf conditions …), so the JSON view and this one
// are two views of one document (docs/forms.md describes the format).
import { t } from "./studio-common.js";

export const KINDS = ["text", "longtext", "number", "date", "datetime", "yesno", "single", "multiple", "attachments"];
const ORG_KINDS = ["department", "street", "community", "grid_cell"];
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
// Schema keywords a field keeps when its type changes; the others belong to the old type.
const KEEP = {
  text: ["minLength", "maxLength", "pattern", "format"], longtext: ["minLength", "maxLength", "pattern"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"], date: [], datetime: [],
  yesno: ["const"], single: [], multiple: ["minItems", "maxItems", "uniqueItems"], attachments: ["minItems", "maxItems", "items"],
};
const UI_KEEP = ["ui:title", "ui:help", "ui:visibleIf", "ui:errorMessages", "ui:filledBy"];
const WIDGET = { longtext: "textarea", number: "number", date: "date", datetime: "datetime", yesno: "checkbox",
  single: "select", multiple: "checkboxes", attachments: "attachments" };
const CHOICE = new Set(["single", "multiple"]);

export function kindOf(schema, ui) {
  const widget = ui["ui:widget"];
  if (schema.type === "array") {
    return schema.items && Array.isArray(schema.items.enum) ? "multiple" : "attachments";
  }
  if (Array.isArray(schema.enum)) { return "single"; }
  if (schema.type === "boolean") { return "yesno"; }
  if (schema.type === "number" || schema.type === "integer") { return "number"; }
  if (schema.format === "date") { return "date"; }
  if (schema.format === "date-time") { return "datetime"; }
  return widget === "textarea" ? "longtext" : "text";
}

function text(zh, en) {
  return en ? { zh, en } : { zh };
}

function optionsOf(schema, ui) {
  const values = (schema.type === "array" ? (schema.items || {}).enum : schema.enum) || [];
  const names = ui["ui:enumNames"] || [];
  return values.map((value, i) => ({ value, zh: (names[i] || {}).zh || "", en: (names[i] || {}).en || "" }));
}

function typed(raw, type) {
  if ((type === "number" || type === "integer") && raw.trim() !== "" && !Number.isNaN(Number(raw))) { return Number(raw); }
  if (type === "boolean" && (raw === "true" || raw === "false")) { return raw === "true"; }
  return raw;
}

export class FieldsView {
  // names: {decisions: [{value, label}]}; lang: the page's language, for labels in summaries.
  constructor(container, names, lang, onChange) {
    this.container = container;
    this.names = names;
    this.lang = lang;
    this.onChange = onChange;
    this.doc = null;
    this.open = new Set();
  }

  // Returns an error message when the document has no fields to show, else null.
  load(doc) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc) || !doc.schema || typeof doc.schema !== "object"
        || !doc.schema.properties || typeof doc.schema.properties !== "object" || Array.isArray(doc.schema.properties)) {
      return t("fe.noProperties");
    }
    if (!doc.uiSchema || typeof doc.uiSchema !== "object" || Array.isArray(doc.uiSchema)) { doc.uiSchema = {}; }
    this.doc = doc;
    this.render();
    return null;
  }

  keys() {
    const order = this.doc.uiSchema["ui:order"];
    const declared = Object.keys(this.doc.schema.properties);
    if (!Array.isArray(order)) { return declared; }
    return [...order.filter((k) => declared.includes(k)), ...declared.filter((k) => !order.includes(k))];
  }

  schemaOf(key) { return this.doc.schema.properties[key]; }

  uiOf(key) {
    if (!this.doc.uiSchema[key] || typeof this.doc.uiSchema[key] !== "object") { this.doc.uiSchema[key] = {}; }
    return this.doc.uiSchema[key];
  }

  label(key) {
    const title = this.uiOf(key)["ui:title"] || {};
    return (this.lang === "en" && title.en) || title.zh || key;
  }

  changed() { this.onChange(this.doc); }

  // ---- document edits ----

  setOrder(keys) { this.doc.uiSchema["ui:order"] = keys; }

  isRequired(key) { return (this.doc.schema.required || []).includes(key); }

  setRequired(key, on) {
    const list = (this.doc.schema.required || []).filter((k) => k !== key);
    if (on) { list.push(key); }
    if (list.length) { this.doc.schema.required = list; } else { delete this.doc.schema.required; }
  }

  addField() {
    let n = this.keys().length + 1;
    while (`field_${n}` in this.doc.schema.properties) { n += 1; }
    const key = `field_${n}`;
    this.doc.schema.properties[key] = { type: "string", maxLength: 200 };
    this.doc.uiSchema[key] = { "ui:title": text(t("fe.newField", { n }), "") };
    this.setOrder([...this.keys().filter((k) => k !== key), key]);
    this.open.add(key);
    return key;
  }

  removeField(key) {
    delete this.doc.schema.properties[key];
    delete this.doc.uiSchema[key];
    this.setRequired(key, false);
    this.setOrder(this.keys());
    this.open.delete(key);
  }

  move(key, step) {
    const keys = this.keys();
    const at = keys.indexOf(key);
    const to = at + step;
    if (to < 0 || to >= keys.length) { return; }
    [keys[at], keys[to]] = [keys[to], keys[at]];
    this.setOrder(keys);
  }

  // A rename reaches every place that names the field: properties (order kept), uiSchema, ui:order,
  // required lists (also in allOf/if/then conditions) and other fields' visibility rules.
  rename(key, next) {
    const rebuild = (object) => Object.fromEntries(Object.entries(object).map(([k, v]) => [k === key ? next : k, v]));
    const walk = (schema) => {
      if (!schema || typeof schema !== "object") { return; }
      if (schema.properties && typeof schema.properties === "object" && key in schema.properties) {
        schema.properties = rebuild(schema.properties);
      }
      if (Array.isArray(schema.required)) { schema.required = schema.required.map((k) => (k === key ? next : k)); }
      if (schema.dependentRequired && typeof schema.dependentRequired === "object") {
        schema.dependentRequired = Object.fromEntries(Object.entries(rebuild(schema.dependentRequired))
          .map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (x === key ? next : x)) : v]));
      }
      for (const member of ["allOf", "anyOf", "oneOf"]) { (schema[member] || []).forEach(walk); }
      for (const member of ["if", "then", "else", "not"]) { walk(schema[member]); }
    };
    walk(this.doc.schema);
    this.doc.uiSchema = rebuild(this.doc.uiSchema);
    if (Array.isArray(this.doc.uiSchema["ui:order"])) {
      this.setOrder(this.doc.uiSchema["ui:order"].map((k) => (k === key ? next : k)));
    }
    for (const other of this.keys()) {
      const rule = this.uiOf(other)["ui:visibleIf"];
      if (rule && rule.field === key) { rule.field = next; }
    }
    if (this.open.delete(key)) { this.open.add(next); }
  }

  setKind(key, kind, display) {
    const schema = this.schemaOf(key);
    const ui = this.uiOf(key);
    const old = kindOf(schema, ui);
    const options = CHOICE.has(old) ? optionsOf(schema, ui) : [];
    const next = {};
    for (const member of KEEP[kind]) { if (member in schema) { next[member] = schema[member]; } }
    if (kind === "text") {
      next.type = "string";
      if (next.format !== "email") { delete next.format; }
    } else if (kind === "longtext") {
      next.type = "string";
    } else if (kind === "number") {
      next.type = schema.type === "integer" ? "integer" : "number";
    } else if (kind === "date" || kind === "datetime") {
      next.type = "string";
      next.format = kind === "date" ? "date" : "date-time";
    } else if (kind === "yesno") {
      next.type = "boolean";
    } else if (kind === "single") {
      const type = old === "single" ? schema.type : old === "multiple" ? (schema.items || {}).type : "string";
      next.type = ["string", "number", "integer", "boolean"].includes(type) ? type : "string";
      next.enum = options.map((o) => o.value);
    } else if (kind === "multiple") {
      const type = old === "single" ? schema.type : old === "multiple" ? (schema.items || {}).type : "string";
      next.type = "array";
      next.items = { type: ["string", "number", "integer"].includes(type) ? type : "string", enum: options.map((o) => o.value) };
      if (old === "multiple" && schema.uniqueItems !== undefined) { next.uniqueItems = schema.uniqueItems; }
    } else if (kind === "attachments") {
      next.type = "array";
      if (old !== "attachments") { delete next.items; }
    }
    const nextUi = {};
    for (const member of UI_KEEP) { if (member in ui) { nextUi[member] = ui[member]; } }
    if ((kind === "text" || kind === "longtext" || kind === "number") && ui["ui:placeholder"]) {
      nextUi["ui:placeholder"] = ui["ui:placeholder"];
    }
    // A code shown by its name (ui:names) stays one while the field stays a one-line text.
    if (kind === "text" && ui["ui:names"]) { nextUi["ui:names"] = ui["ui:names"]; }
    const widget = kind === "single" ? (display === "radio" ? "radio" : "select") : WIDGET[kind];
    if (widget) { nextUi["ui:widget"] = widget; }
    if (CHOICE.has(kind)) {
      nextUi["ui:enumNames"] = options.map((o) => text(o.zh, o.en));
      if (ui["ui:optionsFrom"]) { nextUi["ui:optionsFrom"] = ui["ui:optionsFrom"]; }
      if (ui["ui:optionsFromCase"]) { nextUi["ui:optionsFromCase"] = ui["ui:optionsFromCase"]; }
    }
    const options_ = ui["ui:options"] || {};
    const keptOption = { longtext: "rows", number: "step", attachments: "accept" }[kind];
    if (keptOption && keptOption in options_) { nextUi["ui:options"] = { [keptOption]: options_[keptOption] }; }
    // Replace in place so the key keeps its position in schema.properties.
    for (const member of Object.keys(schema)) { delete schema[member]; }
    Object.assign(schema, next);
    this.doc.uiSchema[key] = nextUi;
  }

  setOptions(key, options) {
    const schema = this.schemaOf(key);
    const ui = this.uiOf(key);
    const holder = schema.type === "array" ? (schema.items = schema.items || {}) : schema;
    holder.enum = options.map((o) => typed(String(o.value), holder.type));
    ui["ui:enumNames"] = options.map((o) => text(o.zh, o.en));
  }

  // ---- rendering ----

  render() {
    const list = document.createElement("div");
    list.className = "cg-field-list";
    list.append(this.formTitle());
    for (const [index, key] of this.keys().entries()) { list.append(this.card(key, index)); }
    const add = button(t("fe.addField"), "add-field");
    add.addEventListener("click", () => {
      const key = this.addField();
      this.render();
      this.changed();
      const card = this.container.querySelector(`[data-field="${CSS.escape(key)}"] input[name=key]`);
      if (card) { card.focus(); }
    });
    list.append(add);
    this.container.replaceChildren(list);
  }

  formTitle() {
    const box = document.createElement("div");
    box.className = "cg-form-title";
    const title = this.doc.title && typeof this.doc.title === "object" ? this.doc.title : {};
    const zh = input("formTitleZh", title.zh || "");
    const en = input("formTitleEn", title.en || "");
    const update = () => { this.doc.title = text(zh.value, en.value); this.changed(); };
    zh.addEventListener("input", update);
    en.addEventListener("input", update);
    box.append(labelled(t("fe.formTitleZh"), zh), labelled(t("fe.formTitleEn"), en));
    return box;
  }

  summaryText(key) {
    const kind = kindOf(this.schemaOf(key), this.uiOf(key));
    return `${this.label(key)} · ${t(`fe.kind.${kind}`)}${this.isRequired(key) ? ` · ${t("fe.requiredMark")}` : ""}`;
  }

  card(key, index) {
    const schema = this.schemaOf(key);
    const ui = this.uiOf(key);
    const kind = kindOf(schema, ui);
    const card = document.createElement("details");
    card.className = "cg-field-card";
    card.dataset.field = key;
    card.open = this.open.has(key);
    card.addEventListener("toggle", () => { if (card.open) { this.open.add(card.dataset.field); } else { this.open.delete(card.dataset.field); } });
    const summary = document.createElement("summary");
    const number = document.createElement("span");
    number.textContent = `${index + 1}. `;
    const words = document.createElement("span");
    words.className = "cg-field-summary";
    words.textContent = this.summaryText(key);
    const code = document.createElement("code");
    code.dataset.codeArea = "";
    code.textContent = key;
    summary.append(number, words, " ", code);
    card.append(summary);
    const refreshSummary = () => {
      words.textContent = this.summaryText(card.dataset.field);
      code.textContent = card.dataset.field;
    };

    // key and labels: typed text updates the document without redrawing (focus stays)
    const keyInput = input("key", key);
    const keyError = document.createElement("span");
    keyError.className = "cg-hint cg-error-text";
    keyInput.addEventListener("input", () => {
      const current = card.dataset.field;
      const next = keyInput.value.trim();
      let error = "";
      if (!KEY_PATTERN.test(next)) { error = t("fe.badKey"); } else if (next !== current && next in this.doc.schema.properties) { error = t("fe.duplicateKey"); }
      keyInput.setAttribute("aria-invalid", String(Boolean(error)));
      keyError.textContent = error;
      if (error || next === current) { return; }
      this.rename(current, next);
      card.dataset.field = next;
      refreshSummary();
      this.refreshRules(card);
      this.changed();
    });
    const title = ui["ui:title"] || {};
    const zh = input("titleZh", title.zh || "");
    const en = input("titleEn", title.en || "");
    const setTitle = () => {
      this.uiOf(card.dataset.field)["ui:title"] = text(zh.value, en.value);
      refreshSummary();
      this.refreshRules(card);
      this.changed();
    };
    zh.addEventListener("input", setTitle);
    en.addEventListener("input", setTitle);
    const row1 = document.createElement("div");
    row1.className = "cg-field-row";
    row1.append(labelled(t("fe.key"), keyInput, keyError), labelled(t("fe.titleZh"), zh), labelled(t("fe.titleEn"), en));
    card.append(row1);

    // type, display, required: structural, so the card is redrawn
    const kindSelect = select("kind", KINDS.map((k) => [k, t(`fe.kind.${k}`)]), kind);
    const row2 = document.createElement("div");
    row2.className = "cg-field-row";
    row2.append(labelled(t("fe.type"), kindSelect));
    let display = null;
    if (kind === "single") {
      display = select("display", [["select", t("fe.display.select")], ["radio", t("fe.display.radio")]],
        ui["ui:widget"] === "radio" ? "radio" : "select");
      row2.append(labelled(t("fe.display"), display));
      display.addEventListener("change", () => { this.uiOf(card.dataset.field)["ui:widget"] = display.value; this.redraw(); });
    }
    kindSelect.addEventListener("change", () => { this.setKind(card.dataset.field, kindSelect.value, display && display.value); this.redraw(); });
    const required = document.createElement("input");
    required.type = "checkbox";
    required.name = "required";
    required.checked = this.isRequired(key);
    required.addEventListener("change", () => { this.setRequired(card.dataset.field, required.checked); this.redraw(); });
    const requiredLabel = document.createElement("label");
    requiredLabel.className = "cg-prop-check";
    requiredLabel.append(required, spanText(t("fe.required")));
    row2.append(requiredLabel);
    card.append(row2);

    if (CHOICE.has(kind)) { card.append(this.optionsSection(card, key)); }
    const rules = document.createElement("div");
    rules.className = "cg-field-rule";
    card.append(rules);
    this.fillRule(rules, key);

    const actions = document.createElement("div");
    actions.className = "cg-field-actions";
    const up = button(t("fe.up"), "up");
    const down = button(t("fe.down"), "down");
    const remove = button(t("fe.remove"), "remove");
    up.addEventListener("click", () => { this.move(card.dataset.field, -1); this.redraw(); });
    down.addEventListener("click", () => { this.move(card.dataset.field, 1); this.redraw(); });
    remove.addEventListener("click", () => { this.removeField(card.dataset.field); this.redraw(); });
    actions.append(up, down, remove);
    card.append(actions);
    return card;
  }

  redraw() {
    this.render();
    this.changed();
  }

  // Other cards' visibility rules show this field's key, label and options: redraw theirs, not the edited one.
  refreshRules(except) {
    for (const card of this.container.querySelectorAll(".cg-field-card")) {
      if (card === except) { continue; }
      const rules = card.querySelector(".cg-field-rule");
      if (rules) { this.fillRule(rules, card.dataset.field); }
    }
  }

  optionsSection(card, key) {
    const ui = this.uiOf(key);
    const box = document.createElement("fieldset");
    box.className = "cg-field-options";
    const legend = document.createElement("legend");
    legend.textContent = t("fe.options");
    box.append(legend);

    const from = ui["ui:optionsFrom"] || {};
    const sourceKind = "decision" in from ? "decision" : "org" in from ? "org" : "";
    const source = select("source", [["", t("fe.source.none")], ["decision", t("fe.source.decision")],
      ["org", t("fe.source.org")]], sourceKind);
    source.addEventListener("change", () => {
      const target = this.uiOf(card.dataset.field);
      if (source.value === "decision") {
        const first = (this.names.decisions || [])[0];
        target["ui:optionsFrom"] = { decision: first ? first.value : "", input: first ? first.inputs[0].value : "" };
      } else if (source.value === "org") {
        target["ui:optionsFrom"] = { org: "department" };
      } else {
        delete target["ui:optionsFrom"];
      }
      this.redraw();
    });
    const sourceRow = document.createElement("div");
    sourceRow.className = "cg-field-row";
    sourceRow.append(labelled(t("fe.source"), source, hint(t("fe.sourceHint"))));
    if (sourceKind === "decision") {
      // The deployed decisions and their inputs that list values, by their names; what the file names and
      // is not among them stays, marked ⚠, until the analyst picks another (deploy refuses it, in words).
      const decisions = this.names.decisions || [];
      const decision = select("decision", decisionChoices(decisions, from.decision), from.decision || "");
      const chosen = decisions.find((d) => d.value === from.decision);
      const known = chosen && chosen.inputs.find((i) => i.value === from.input || (i.aliases || []).includes(from.input));
      // An input the file names by its label or id (the server accepts those too) shows as that input; the
      // file keeps what it says until another input is chosen.
      const inputName = select("decisionInput", inputChoices(chosen, from.input), known ? known.value : from.input || "");
      const inputKnown = Boolean(known);
      const decisionProblem = warning(from.decision && !chosen ? t("fe.unknownDecision") : "", decision);
      const inputProblem = warning(from.input && chosen && !inputKnown ? t("fe.unknownInput") : "", inputName);
      decision.addEventListener("change", () => {
        const chosen = decisions.find((d) => d.value === decision.value);
        this.uiOf(card.dataset.field)["ui:optionsFrom"] = { decision: decision.value, input: chosen ? chosen.inputs[0].value : "" };
        this.redraw();
      });
      inputName.addEventListener("change", () => {
        this.uiOf(card.dataset.field)["ui:optionsFrom"] = { decision: decision.value, input: inputName.value };
        this.redraw();
      });
      sourceRow.append(labelled(t("fe.decision"), decision, decisionProblem), labelled(t("fe.decisionInput"), inputName, inputProblem));
    } else if (sourceKind === "org") {
      const org = select("org", ORG_KINDS.map((k) => [k, t(`fe.org.${k}`)]), from.org);
      org.addEventListener("change", () => { this.uiOf(card.dataset.field)["ui:optionsFrom"] = { org: org.value }; this.changed(); });
      sourceRow.append(labelled(t("fe.orgKind"), org));
    }
    box.append(sourceRow);

    const options = optionsOf(this.schemaOf(key), ui);
    const table = document.createElement("table");
    table.className = "cg-option-table";
    const head = document.createElement("tr");
    for (const word of [t("fe.value"), t("fe.titleZh"), t("fe.titleEn"), ""]) {
      const th = document.createElement("th");
      th.textContent = word;
      head.append(th);
    }
    table.append(head);
    const read = () => [...table.querySelectorAll("tr[data-option]")].map((row) => ({
      value: row.querySelector("[name=optionValue]").value,
      zh: row.querySelector("[name=optionZh]").value,
      en: row.querySelector("[name=optionEn]").value,
    }));
    const save = () => {
      this.setOptions(card.dataset.field, read());
      this.refreshRules(card);
      this.changed();
    };
    options.forEach((option, i) => {
      const row = document.createElement("tr");
      row.dataset.option = String(i);
      for (const [name, value, word] of [["optionValue", String(option.value), t("fe.value")],
        ["optionZh", option.zh, t("fe.titleZh")], ["optionEn", option.en, t("fe.titleEn")]]) {
        const cell = document.createElement("td");
        const field = input(name, value);
        field.setAttribute("aria-label", `${word} ${i + 1}`);
        field.addEventListener("input", save);
        cell.append(field);
        row.append(cell);
      }
      const cell = document.createElement("td");
      const drop = button(t("fe.removeOption"), "remove-option");
      drop.addEventListener("click", () => {
        this.setOptions(card.dataset.field, read().filter((_o, j) => j !== i));
        this.redraw();
      });
      cell.append(drop);
      row.append(cell);
      table.append(row);
    });
    box.append(table);
    const add = button(t("fe.addOption"), "add-option");
    add.addEventListener("click", () => {
      this.setOptions(card.dataset.field, [...read(), { value: `option_${options.length + 1}`, zh: t("fe.newOption", { n: options.length + 1 }), en: "" }]);
      this.redraw();
      const rows = this.container.querySelectorAll(`[data-field="${CSS.escape(card.dataset.field)}"] tr[data-option]`);
      if (rows.length) { rows[rows.length - 1].querySelector("[name=optionValue]").select(); }
    });
    box.append(add);
    return box;
  }

  // The fields a visibility rule may depend on, each by its label in the page's language (the key is only the
  // value the file keeps). Two that read alike, or one without a label, are told apart by their place in the
  // form, as the cards are numbered ("第 3 项"), never by their keys.
  fieldChoices(keys) {
    const all = this.keys();
    const titles = keys.map((k) => {
      const title = this.uiOf(k)["ui:title"] || {};
      return String((this.lang === "en" && title.en) || title.zh || "").trim();
    });
    return keys.map((k, i) => {
      const alike = !titles[i] || titles.filter((other) => other === titles[i]).length > 1;
      const name = titles[i] || t("fe.untitled");
      return [k, alike ? t("fe.fieldAt", { name, n: all.indexOf(k) + 1 }) : name];
    });
  }

  fillRule(box, key) {
    const current = () => box.closest(".cg-field-card").dataset.field; // the key may be renamed later
    const ui = this.uiOf(key);
    const rule = ui["ui:visibleIf"] && typeof ui["ui:visibleIf"] === "object" ? ui["ui:visibleIf"] : null;
    const others = this.keys().filter((k) => k !== key);
    const choices = [["", t("fe.always")], ...this.fieldChoices(others)];
    // A field the rule names that is not another field of the form: kept, marked, until another is chosen.
    if (rule && rule.field && !others.includes(rule.field)) { choices.push([rule.field, `⚠ ${rule.field}`]); }
    const field = select("visibleField", choices, rule ? rule.field : "");
    field.addEventListener("change", () => {
      const target = this.uiOf(current());
      if (field.value) { target["ui:visibleIf"] = { field: field.value, in: [] }; } else { delete target["ui:visibleIf"]; }
      this.fillRule(box, current());
      this.changed();
    });
    const row = document.createElement("div");
    row.className = "cg-field-row";
    row.append(labelled(t("fe.visibleIf"), field, hint(t("fe.visibleIfHint"))));
    box.replaceChildren(row);
    if (!rule || !(rule.field in this.doc.schema.properties)) { return; }
    const chosen = Array.isArray(rule.in) ? rule.in : [];
    const controller = this.schemaOf(rule.field);
    const controllerKind = kindOf(controller, this.uiOf(rule.field));
    let values = null;
    if (CHOICE.has(controllerKind)) {
      values = optionsOf(controller, this.uiOf(rule.field)).map((o) => [o.value, (this.lang === "en" && o.en) || o.zh || String(o.value)]);
    } else if (controllerKind === "yesno") {
      values = [[true, t("fe.yes")], [false, t("fe.no")]];
    }
    if (values) {
      const checks = document.createElement("div");
      checks.className = "cg-checks";
      checks.setAttribute("role", "group");
      checks.setAttribute("aria-label", t("fe.visibleValues"));
      for (const [value, word] of values) {
        const check = document.createElement("input");
        check.type = "checkbox";
        check.name = "visibleValue";
        check.value = String(value);
        check.checked = chosen.some((v) => v === value);
        check.addEventListener("change", () => {
          const picked = values.filter(([v]) => [...checks.querySelectorAll("input")].some((c) => c.checked && c.value === String(v)));
          this.uiOf(current())["ui:visibleIf"] = { field: rule.field, in: picked.map(([v]) => v) };
          this.changed();
        });
        const label = document.createElement("label");
        label.append(check, ` ${word}`);
        checks.append(label);
      }
      row.append(labelled(t("fe.visibleValues"), checks));
    } else {
      const free = input("visibleValues", chosen.join(", "));
      free.addEventListener("input", () => {
        const list = free.value.split(/[,，]/).map((v) => v.trim()).filter(Boolean).map((v) => typed(v, controller.type));
        this.uiOf(current())["ui:visibleIf"] = { field: rule.field, in: list };
        this.changed();
      });
      row.append(labelled(t("fe.visibleValuesText"), free));
    }
  }
}

// The decision select: each deployed decision by its name; a decision the file names that is not deployed
// (or lists no values) reads "⚠ id".
function decisionChoices(decisions, current) {
  const choices = decisions.map((d) => [d.value, d.label]);
  if (current && !decisions.some((d) => d.value === current)) { choices.unshift([current, `⚠ ${current}`]); }
  if (!current) { choices.unshift(["", t("fe.chooseDecision")]); }
  return choices;
}

// The input select: the decision's inputs that list values, by their labels; a name the decision has no such
// input for reads "⚠ name".
function inputChoices(decision, current) {
  const inputs = decision ? decision.inputs : [];
  const choices = inputs.map((i) => [i.value, i.label]);
  const known = inputs.some((i) => i.value === current || (i.aliases || []).includes(current));
  if (current && !known) { choices.unshift([current, `⚠ ${current}`]); }
  if (!current) { choices.unshift(["", t("fe.chooseInput")]); }
  return choices;
}

// A control's problem, said beneath it and marked on it (aria-invalid); empty `word`: no problem.
function warning(word, control) {
  const node = hint(word);
  node.classList.add("cg-error-text");
  control.setAttribute("aria-invalid", String(Boolean(word)));
  return node;
}

function input(name, value) {
  const node = document.createElement("input");
  node.type = "text";
  node.name = name;
  node.value = value;
  return node;
}

function select(name, choices, value) {
  const node = document.createElement("select");
  node.name = name;
  for (const [v, word] of choices) {
    const option = document.createElement("option");
    option.value = v;
    option.textContent = word;
    node.append(option);
  }
  node.value = value;
  return node;
}

function button(word, action) {
  const node = document.createElement("button");
  node.type = "button";
  node.dataset.act = action;
  node.textContent = word;
  return node;
}

function spanText(word) {
  const node = document.createElement("span");
  node.textContent = word;
  return node;
}

function hint(word) {
  const node = document.createElement("span");
  node.className = "cg-hint";
  node.textContent = word;
  return node;
}

function labelled(word, control, ...after) {
  const label = document.createElement(control.getAttribute("role") === "group" ? "div" : "label");
  label.className = "cg-prop";
  label.append(spanText(word), control, ...after);
  return label;
}
