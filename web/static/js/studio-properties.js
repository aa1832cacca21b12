// The properties panel for the casegrid conventions (docs/bpmn-conventions.md, docs/time-limits.md): every
// property those docs describe, each with a label and a short hint in the page's language.
//
// The spiffworkflow extension namespace is deliberately NOT registered with bpmn-moddle: unregistered
// elements are kept as generic elements and written back verbatim, so anything a diagram carries survives
// a round trip through the modeler. We edit those generic elements here. Every change goes through
// `modeling` so it is on the undo stack.
import { t, texts } from "./studio-common.js";
import { elementKind } from "./studio-translate.js";

const SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core";
const TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];
// User-task properties: [name, kind] — "text" a one-line expression or value, "json" JSON text.
const USER_TASK_ROUTING = [["department", "text"], ["gridCell", "text"], ["candidateUsers", "text"], ["dueAt", "text"]];
const USER_TASK_RETURN_AND_LIMITS = [["returnWith", "json"], ["returnReasonField", "text"],
  ["slaExtensionRequest", "text"], ["slaExtensionDecision", "text"]];

// The control of the panel a server problem is about, by its key (web/problem_texts.py); expression problems
// name their property, or are about the element's own expression (script, condition, timer).
const CONTROL_OF_KEY = {
  "task.no_form": "formKey", "task.unknown_form": "formKey", "start.unknown_form": "formKey",
  "task.no_decision": "calledDecisionId", "task.unknown_decision": "calledDecisionId",
  "task.return_with_not_object": "returnWith", "lane.unknown": "laneCode",
  "starters.malformed": "starters", "starters.unknown_role": "starters",
  "extension.decider_lane": "slaExtensionDecision", "timer.unreadable": "timerExpression",
  "multi_instance.no_collection": "collection", "multi_instance.no_element": "elementVariable",
  "multi_instance.output_in_loop": "outputCollection",
  "message.none": "messageName", "message.unknown": "messageName", "message.unnamed": "messageName",
  "call.no_process": "calledElement", "call.unknown_process": "calledElement",
  "name_en.not_english": "nameEn",
};
// ISO 8601 as the server reads a quoted timer literal (engine/definitions/bpmn_checks.py).
const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function timerLiteralOk(kind, body) {
  const quoted = /^\s*(["'])(.*)\1\s*$/.exec(body || "");
  if (!quoted) { return true; } // an expression over case data: read when the timer is set
  const value = quoted[2];
  if (kind === "timeDuration") { return ISO_DURATION.test(value); }
  if (kind === "timeDate") { return ISO_DATE.test(value); }
  const cycle = /^R\d*\/(.+)$/.exec(value);
  return Boolean(cycle) && cycle[1].split("/").every((part) => ISO_DURATION.test(part) || ISO_DATE.test(part));
}

function isType(node, type) {
  return Boolean(node && node.$instanceOf && node.$instanceOf(type));
}

function extensionValues(bo) {
  return (bo.extensionElements && bo.extensionElements.values) || [];
}

function findGeneric(bo, localName) {
  return extensionValues(bo).find((v) => v.$type === `spiffworkflow:${localName}`);
}

export function spiffProperty(bo, name) {
  const holder = findGeneric(bo, "properties");
  const found = holder && (holder.$children || []).find((c) => c.name === name);
  return found ? found.value || "" : "";
}

// The text of a generic element such as <spiffworkflow:preScript>…</spiffworkflow:preScript>.
export function genericBody(bo, localName) {
  const node = findGeneric(bo, localName);
  return node ? (node.$body || "").trim() : "";
}

export function calledDecision(bo) {
  return genericBody(bo, "calledDecisionId");
}

// SpiffWorkflow reads loopDataInputRef/loopDataOutputRef as variable names (see studio-modeler.js).
function referenceName(ref) {
  return ref ? ref.id || "" : "";
}

export class PropertiesPanel {
  constructor(modeler, container, names) {
    this.modeler = modeler;
    this.container = container;
    this.names = names;
    this.element = null;
    this.problems = new Map(); // element id -> the last validate's problems of this file about it
    modeler.on("selection.changed", (event) => this.show(event.newSelection.length === 1 ? event.newSelection[0] : null));
    // Undo/redo or edits on the canvas: refresh unless someone is typing in the panel.
    modeler.on("commandStack.changed", () => {
      if (!this.container.contains(document.activeElement)) { this.show(this.element); }
    });
  }

  // The server's problems of this file (validate or deploy), shown on the element they are about.
  setProblems(problems, path) {
    this.problems = new Map();
    for (const problem of problems || []) {
      if (problem.file !== path || !problem.element) { continue; }
      this.problems.set(problem.element, [...(this.problems.get(problem.element) || []), problem]);
    }
    this.show(this.element);
  }

  // The server's problems of the shown element: a list under its heading, each control it is about marked.
  markServerProblems(bo) {
    const problems = this.problems.get(bo.id) || [];
    if (!problems.length) { return; }
    const list = document.createElement("ul");
    list.className = "cg-element-problems";
    list.setAttribute("role", "alert");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem.text || problem.message;
      if (problem.hint) { item.title = problem.hint; }
      if (problem.key) { item.dataset.key = problem.key; }
      list.append(item);
      const name = controlOfProblem(problem, bo);
      if (name) { flag(this.control(name), problem.text || problem.message, "server"); }
    }
    const heading = this.container.querySelector("h2");
    heading.after(list);
  }

  control(name) {
    return this.container.querySelector(`.cg-checks[data-name="${name}"]`) || this.container.querySelector(`[name="${name}"]`);
  }

  // Cheap checks in the browser, run whenever the panel shows an element and after each edit: what the
  // server's validate would also refuse, marked on the control before the analyst validates.
  recheck() {
    for (const node of this.container.querySelectorAll("[data-cg-client-invalid]")) { flag(node, "", "client"); }
    const target = this.element || this.root();
    if (!target || !target.businessObject) { return; }
    for (const [name, message] of this.clientProblems(target.businessObject)) { flag(this.control(name), message, "client"); }
  }

  clientProblems(bo) {
    const found = [];
    const known = (list, value) => (list || []).some((c) => c.value === value);
    if (/[\u3400-\u9fff\uf900-\ufaff]/.test(spiffProperty(bo, "nameEn"))) { found.push(["nameEn", t("markNameEnNotEnglish")]); }
    if (isType(bo, "bpmn:Lane") && !known(this.names.lanes, (bo.name || "").trim())) {
      found.push(["laneCode", t("markUnknownLane")]);
    }
    if (isType(bo, "bpmn:UserTask") || isType(bo, "bpmn:StartEvent")) {
      const form = spiffProperty(bo, "formKey");
      if (form && !known(this.names.forms, form)) { found.push(["formKey", t("markUnknownForm", { form })]); }
      if (!form && isType(bo, "bpmn:UserTask")) { found.push(["formKey", t("markNoForm")]); }
    }
    if (isType(bo, "bpmn:StartEvent")) {
      const unknown = splitCodes(spiffProperty(bo, "starters")).filter((code) => !known(this.names.roles, code));
      if (unknown.length) { found.push(["starters", t("markUnknownRoles", { codes: unknown.join(", ") })]); }
    }
    if (isType(bo, "bpmn:UserTask")) {
      const returnWith = spiffProperty(bo, "returnWith");
      if (returnWith && !isJsonObject(returnWith)) { found.push(["returnWith", t("notJsonObject")]); }
      for (const name of ["slaExtensionRequest", "slaExtensionDecision"]) {
        if (!bracketsBalance(spiffProperty(bo, name))) { found.push([name, t("markUnbalanced")]); }
      }
    }
    if (isType(bo, "bpmn:BusinessRuleTask")) {
      const decision = calledDecision(bo);
      if (!decision) { found.push(["calledDecisionId", t("markNoDecision")]); }
      else if (!known(this.names.decisions, decision)) { found.push(["calledDecisionId", t("markUnknownDecision", { decision })]); }
    }
    if (isType(bo, "bpmn:CallActivity")) {
      if (!bo.calledElement) { found.push(["calledElement", t("markNoProcess")]); }
      else if (!known(this.names.processes, bo.calledElement)) { found.push(["calledElement", t("markUnknownProcess", { process: bo.calledElement })]); }
    }
    const loop = bo.loopCharacteristics;
    if (isType(loop, "bpmn:MultiInstanceLoopCharacteristics")) {
      const collection = referenceName(loop.loopDataInputRef);
      if (!collection && !(loop.loopCardinality && loop.loopCardinality.body)) { found.push(["collection", t("markNoCollection")]); }
      if (collection && !loop.inputDataItem) { found.push(["elementVariable", t("markNoElement")]); }
    }
    for (const definition of bo.eventDefinitions || []) {
      if (isType(definition, "bpmn:TimerEventDefinition")) {
        const kind = TIMER_KINDS.find((k) => definition[k]);
        if (!kind) { found.push(["timerExpression", t("markNoTimer")]); }
        else if (!timerLiteralOk(kind, definition[kind].body)) { found.push(["timerExpression", t("markBadTimer")]); }
      }
      if (isType(definition, "bpmn:MessageEventDefinition")) {
        const message = definition.messageRef;
        if (!message || !(message.name || "").trim()) { found.push(["messageName", t("markNoMessage")]); }
      }
    }
    return found;
  }

  get moddle() { return this.modeler.get("moddle"); }
  get modeling() { return this.modeler.get("modeling"); }

  root() {
    return this.modeler.get("canvas").getRootElement();
  }

  // Extension elements of `bo` (the element's own business object, its process, or an event definition)
  // are replaced as a whole.
  withExtensions(element, change, bo = element.businessObject) {
    const ext = bo.extensionElements || this.moddle.create("bpmn:ExtensionElements", { values: [] });
    ext.values = ext.values || [];
    change(ext);
    ext.values = ext.values.filter((v) => v.$type !== "spiffworkflow:properties" || (v.$children || []).length);
    this.modeling.updateModdleProperties(element, bo, { extensionElements: ext.values.length ? ext : undefined });
  }

  setSpiffProperty(element, name, value, bo = element.businessObject) {
    this.withExtensions(element, (ext) => {
      let holder = ext.values.find((v) => v.$type === "spiffworkflow:properties");
      if (!holder) {
        holder = this.moddle.createAny("spiffworkflow:properties", SPIFF_NS, {});
        holder.$children = [];
        ext.values.push(holder);
      }
      holder.$children = holder.$children || [];
      const existing = holder.$children.find((c) => c.name === name);
      if (!value) {
        holder.$children = holder.$children.filter((c) => c !== existing);
      } else if (existing) {
        existing.value = value;
      } else {
        holder.$children.push(this.moddle.createAny("spiffworkflow:property", SPIFF_NS, { name, value }));
      }
    }, bo);
  }

  setGenericBody(element, localName, value, bo = element.businessObject) {
    this.withExtensions(element, (ext) => {
      ext.values = ext.values.filter((v) => v.$type !== `spiffworkflow:${localName}`);
      if (value) {
        const node = this.moddle.createAny(`spiffworkflow:${localName}`, SPIFF_NS, {});
        node.$body = value;
        ext.values.push(node);
      }
    }, bo);
  }

  setCalledDecision(element, value) {
    this.setGenericBody(element, "calledDecisionId", value);
  }

  show(element) {
    this.element = element;
    const box = this.container;
    box.replaceChildren();
    const target = element || this.root();
    if (!target || !target.businessObject) {
      box.append(paragraph(t("selectElement")));
      return;
    }
    const bo = target.businessObject;
    box.dataset.elementId = bo.id || "";
    const heading = document.createElement("h2");
    heading.dataset.type = bo.$type.replace("bpmn:", "");
    heading.textContent = elementKind(bo.$type);
    box.append(heading);
    box.append(this.field("id", input(bo.id, true, "id")));
    if (isType(bo, "bpmn:Lane")) {
      box.append(this.field("laneCode", this.select("laneCode", this.names.lanes, bo.name || "",
        (v) => this.modeling.updateProperties(target, { name: v }))));
      this.marks(bo);
      return;
    }
    if (isType(bo, "bpmn:Collaboration") || isType(bo, "bpmn:Participant")) {
      const participants = isType(bo, "bpmn:Participant") ? [bo] : (bo.participants || []);
      box.append(this.field("name", this.text("name", bo.name, (v) => this.modeling.updateProperties(target, { name: v }))));
      for (const participant of participants) {
        if (participant.processRef) { this.processFields(target, participant.processRef); }
      }
      return;
    }
    box.append(this.field("name", this.text("name", bo.name, (v) => this.modeling.updateProperties(target, { name: v }))));
    if (isType(bo, "bpmn:Process")) { this.processFields(target, bo, false); }
    if (isType(bo, "bpmn:FlowNode")) { this.nameEnField(target, bo); }
    if (isType(bo, "bpmn:UserTask") || isType(bo, "bpmn:StartEvent")) {
      box.append(this.field("form", this.select("formKey", this.names.forms, spiffProperty(bo, "formKey"),
        (v) => this.setSpiffProperty(target, "formKey", v))));
    }
    if (isType(bo, "bpmn:StartEvent")) { this.startFields(target, bo); }
    if (isType(bo, "bpmn:UserTask")) {
      this.section("routing");
      this.propertyFields(target, bo, USER_TASK_ROUTING);
      this.section("returnAndLimits");
      this.propertyFields(target, bo, USER_TASK_RETURN_AND_LIMITS);
    }
    if (isType(bo, "bpmn:BusinessRuleTask")) {
      box.append(this.field("decision", this.select("calledDecisionId", this.names.decisions, calledDecision(bo),
        (v) => this.setCalledDecision(target, v))));
    }
    if (isType(bo, "bpmn:CallActivity")) {
      box.append(this.field("calledElement", this.select("calledElement", this.names.processes || [],
        bo.calledElement || "", (v) => this.modeling.updateProperties(target, { calledElement: v || undefined }))));
    }
    if (isType(bo, "bpmn:ScriptTask")) {
      box.append(this.field("script", this.text("script", bo.script, (v) => this.modeling.updateProperties(target, { script: v }), true)));
    }
    if (isType(bo, "bpmn:SequenceFlow")) {
      const condition = bo.conditionExpression ? bo.conditionExpression.body : "";
      box.append(this.field("condition", this.text("condition", condition, (v) => this.modeling.updateProperties(target, {
        conditionExpression: v ? this.moddle.create("bpmn:FormalExpression", { body: v }) : undefined,
      }))));
    }
    if (isType(bo, "bpmn:Activity")) {
      if (isType(bo.loopCharacteristics, "bpmn:MultiInstanceLoopCharacteristics")) {
        this.multiInstanceFields(target, bo.loopCharacteristics);
      }
      this.section("scripts");
      for (const name of ["preScript", "postScript"]) {
        box.append(this.field(name, this.text(name, genericBody(bo, name), (v) => this.setGenericBody(target, name, v), true)));
      }
    }
    const definitions = bo.eventDefinitions || [];
    const timer = definitions.find((d) => isType(d, "bpmn:TimerEventDefinition"));
    if (timer) { this.timerFields(target, timer); }
    const message = definitions.find((d) => isType(d, "bpmn:MessageEventDefinition"));
    if (message) { this.messageFields(target, bo, message); }
    this.marks(bo);
  }

  // Double-clicking a lane on the canvas lands here: its role select, focused (studio-lanes.js).
  chooseLaneCode(element) {
    if (this.element !== element) { this.show(element); }
    const control = this.container.querySelector('select[name="laneCode"]');
    if (control) { control.focus(); }
  }

  marks(bo) {
    this.markServerProblems(bo);
    this.recheck();
  }

  // The English name pages show in English (docs/bpmn-conventions.md); the name above stays the Chinese one.
  nameEnField(element, bo) {
    this.container.append(this.field("nameEn", this.text("nameEn", spiffProperty(bo, "nameEn"),
      (v) => this.setSpiffProperty(element, "nameEn", v.trim(), bo))));
  }

  processFields(element, process, withKey = true) {
    if (withKey) { this.container.append(this.field("processKey", input(process.id, true, "processKey"))); }
    this.nameEnField(element, process);
    this.container.append(this.field("family", this.text("family", spiffProperty(process, "family"),
      (v) => this.setSpiffProperty(element, "family", v, process))));
  }

  startFields(element, bo) {
    this.container.append(this.field("starters", this.checkboxes("starters", this.names.roles || [],
      splitCodes(spiffProperty(bo, "starters")), (codes) => this.setSpiffProperty(element, "starters", codes.join(",")))));
    this.container.append(this.field("startMessage", this.text("message", spiffProperty(bo, "message"),
      (v) => this.setSpiffProperty(element, "message", v.trim()))));
  }

  propertyFields(element, bo, properties) {
    for (const [name, kind] of properties) {
      const control = this.text(name, spiffProperty(bo, name), (v) => {
        if (kind === "json" && v && !isJsonObject(v)) {
          markInvalid(control, t("notJsonObject"));
          return;
        }
        markInvalid(control, "");
        this.setSpiffProperty(element, name, v.trim());
        this.recheck();
      });
      this.container.append(this.field(name, control));
    }
  }

  multiInstanceFields(element, loop) {
    this.section("multiInstance");
    const update = (props) => this.modeling.updateModdleProperties(element, loop, props);
    // A reference to a case variable by name: a stand-in object whose id is the name (see studio-modeler.js).
    const reference = (name) => (name ? this.moddle.create("bpmn:DataInput", { id: name }) : undefined);
    const item = (type, name) => (name ? this.moddle.create(type, { id: name, name }) : undefined);
    const box = this.container;
    box.append(this.field("collection", this.text("collection", referenceName(loop.loopDataInputRef),
      (v) => update({ loopDataInputRef: reference(v.trim()) }))));
    box.append(this.field("elementVariable", this.text("elementVariable", loop.inputDataItem ? loop.inputDataItem.name || loop.inputDataItem.id : "",
      (v) => update({ inputDataItem: item("bpmn:DataInput", v.trim()) }))));
    box.append(this.field("outputCollection", this.text("outputCollection", referenceName(loop.loopDataOutputRef),
      (v) => update({ loopDataOutputRef: reference(v.trim()) }))));
    box.append(this.field("outputElement", this.text("outputElement", loop.outputDataItem ? loop.outputDataItem.name || loop.outputDataItem.id : "",
      (v) => update({ outputDataItem: item("bpmn:DataOutput", v.trim()) }))));
    box.append(this.field("loopCardinality", this.text("loopCardinality", loop.loopCardinality ? loop.loopCardinality.body : "",
      (v) => update({ loopCardinality: v ? this.moddle.create("bpmn:FormalExpression", { body: v }) : undefined }))));
    const onInstances = document.createElement("input");
    onInstances.type = "checkbox";
    onInstances.name = "scriptsOnInstances";
    onInstances.checked = loop.get("spiffworkflow:scriptsOnInstances") === "true";
    onInstances.addEventListener("change", () => {
      this.declareSpiffNamespace();
      update({ "spiffworkflow:scriptsOnInstances": onInstances.checked ? "true" : undefined });
    });
    box.append(this.field("scriptsOnInstances", onInstances, "cg-prop-check"));
  }

  // An attribute with the spiffworkflow prefix needs the namespace declared on <bpmn:definitions>.
  declareSpiffNamespace() {
    const definitions = this.modeler.getDefinitions();
    if (definitions && !definitions.$attrs["xmlns:spiffworkflow"]) { definitions.$attrs["xmlns:spiffworkflow"] = SPIFF_NS; }
  }

  messageFields(element, bo, definition) {
    this.section("message");
    const definitions = this.modeler.getDefinitions();
    const messages = (definitions.rootElements || []).filter((e) => isType(e, "bpmn:Message"));
    const current = definition.messageRef ? definition.messageRef.name || definition.messageRef.id : "";
    const name = this.text("messageName", current, (v) => this.setMessage(element, definition, v.trim()));
    name.setAttribute("list", "cg-message-names");
    const list = document.createElement("datalist");
    list.id = "cg-message-names";
    for (const message of messages) {
      const option = document.createElement("option");
      option.value = message.name || message.id;
      list.append(option);
    }
    this.container.append(this.field("messageName", name), list);
    const catching = isType(bo, "bpmn:CatchEvent");
    if (catching) {
      this.container.append(this.field("messageVariable", this.text("messageVariable", genericBody(definition, "messageVariable"),
        (v) => this.setGenericBody(element, "messageVariable", v.trim(), definition))));
      if (!isType(bo, "bpmn:StartEvent")) {
        this.container.append(this.field("messageForm", this.select("messageFormKey", this.names.forms, spiffProperty(bo, "formKey"),
          (v) => this.setSpiffProperty(element, "formKey", v))));
      }
    } else {
      this.container.append(this.field("messagePayload", this.text("messagePayload", genericBody(definition, "messagePayload"),
        (v) => this.setGenericBody(element, "messagePayload", v, definition), true)));
    }
    this.container.append(this.field(catching ? "correlationCatch" : "correlationThrow", this.text("correlation",
      spiffProperty(bo, "correlation"), (v) => this.setSpiffProperty(element, "correlation", v.trim()))));
  }

  // The message event names a bpmn:Message by its name; a name no message has yet gets a new one.
  setMessage(element, definition, name) {
    if (!name) {
      this.modeling.updateModdleProperties(element, definition, { messageRef: undefined });
      return;
    }
    const definitions = this.modeler.getDefinitions();
    const roots = definitions.rootElements || [];
    let message = roots.find((e) => isType(e, "bpmn:Message") && (e.name || e.id) === name);
    if (!message) {
      const base = `m_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
      let id = base;
      for (let n = 2; roots.some((e) => e.id === id) || this.modeler.get("elementRegistry").get(id); n += 1) { id = `${base}_${n}`; }
      message = this.moddle.create("bpmn:Message", { id, name });
      message.$parent = definitions;
      this.modeling.updateModdleProperties(element, definitions, { rootElements: [...roots, message] });
    }
    this.modeling.updateModdleProperties(element, definition, { messageRef: message });
  }

  timerFields(element, timer) {
    this.section("timer");
    const kind = TIMER_KINDS.find((k) => timer[k]) || "timeDuration";
    const current = timer[kind] ? timer[kind].body : "";
    const update = (newKind, body) => {
      const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
      if (body) { props[newKind] = this.moddle.create("bpmn:FormalExpression", { body }); }
      this.modeling.updateModdleProperties(element, timer, props);
    };
    const kinds = TIMER_KINDS.map((k) => ({ value: k, label: t(k) }));
    const kindSelect = this.select("timerKind", kinds, kind, (v) => update(v, expression.value), { blank: false });
    const expression = this.text("timerExpression", current, (v) => update(kindSelect.value, v));
    this.container.append(this.field("timerKind", kindSelect));
    this.container.append(this.field("timerExpression", expression));
  }

  section(key) {
    const heading = document.createElement("h3");
    heading.textContent = t(key);
    this.container.append(heading);
  }

  // A labelled control and, when the texts carry one, a short hint (`<key>Hint`) tied to it for screen readers.
  field(key, control, className = "cg-prop") {
    // A group of checkboxes carries its own labels; labels must not nest.
    const wrapper = document.createElement(control.classList.contains("cg-checks") ? "div" : "label");
    wrapper.className = className;
    if (wrapper.tagName === "DIV") { wrapper.setAttribute("role", "group"); wrapper.setAttribute("aria-label", t(key)); }
    const caption = document.createElement("span");
    caption.textContent = t(key);
    wrapper.append(caption, control);
    const hint = texts()[`${key}Hint`];
    if (hint) {
      const small = document.createElement("small");
      small.className = "cg-hint";
      small.id = `cg-hint-${key}`;
      small.textContent = hint;
      control.setAttribute("aria-describedby", small.id);
      wrapper.append(small);
    }
    return wrapper;
  }

  text(name, value, onChange, multiline = false) {
    const control = multiline ? document.createElement("textarea") : input(value, false, name);
    if (multiline) { control.value = value || ""; control.name = name; control.rows = 4; }
    control.addEventListener("change", () => { onChange(control.value.trim() ? control.value : ""); this.recheck(); });
    return control;
  }

  // Choices plus the current value when it is not one of them (a diagram may name a form not yet made).
  // Every choice (a role or department, form, decision, process, timer kind) reads as its name alone: the
  // server tells namesakes apart in words (web/studio/names.py) and groups roles and departments; the code
  // is only the option's value, the one the file keeps. A value the file has that no choice is reads "⚠ value".
  select(name, choices, value, onChange, { blank = true } = {}) {
    const control = document.createElement("select");
    control.name = name;
    if (blank) { control.append(option({ value: "", label: t("choose") }, value)); }
    const groups = new Map();
    for (const choice of choices) {
      const holder = choice.group ? group(control, groups, choice.group) : control;
      holder.append(option(choice, value));
    }
    if (value && !choices.some((c) => c.value === value)) {
      control.append(option({ value, label: `⚠ ${value}` }, value));
    }
    control.addEventListener("change", () => { onChange(control.value); this.recheck(); });
    return control;
  }

  // One checkbox per choice, read by its name (plus codes the diagram names that are not choices, read
  // "⚠ code"); onChange gets the checked codes.
  checkboxes(name, choices, values, onChange) {
    const group = document.createElement("span");
    group.className = "cg-checks";
    group.dataset.name = name;
    const all = [...choices, ...values.filter((v) => !choices.some((c) => c.value === v)).map((v) => ({ value: v, label: v }))];
    for (const choice of all) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = name;
      box.value = choice.value;
      box.checked = values.includes(choice.value);
      box.addEventListener("change", () => {
        // Codes keep the order the diagram had them in; newly ticked ones follow.
        const checked = [...group.querySelectorAll("input:checked")].map((c) => c.value);
        onChange([...values.filter((v) => checked.includes(v)), ...checked.filter((v) => !values.includes(v))]);
        this.recheck();
      });
      const known = choices.includes(choice);
      label.append(box, document.createTextNode(known ? choice.label : `⚠ ${choice.value}`));
      group.append(label);
    }
    return group;
  }
}

function splitCodes(value) {
  return (value || "").split(",").map((v) => v.trim()).filter(Boolean);
}

function isJsonObject(text) {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch (_err) {
    return false;
  }
}

// Which control a server problem is about (CONTROL_OF_KEY, or the element's own expression).
function controlOfProblem(problem, bo) {
  if (problem.property) { return problem.property; }
  if (CONTROL_OF_KEY[problem.key]) { return CONTROL_OF_KEY[problem.key]; }
  if (problem.key === "expression.refused" || problem.key === "expression.empty") {
    if (isType(bo, "bpmn:SequenceFlow")) { return "condition"; }
    if (isType(bo, "bpmn:ScriptTask")) { return "script"; }
    if ((bo.eventDefinitions || []).some((d) => isType(d, "bpmn:TimerEventDefinition"))) { return "timerExpression"; }
  }
  return null;
}

// Mark (or, with an empty message, unmark) a control: red, aria-invalid, the problem's line beneath it.
// `source` keeps the server's marks apart from the browser's own checks, which are redone on each edit.
function flag(control, message, source) {
  if (!control) { return; }
  const attribute = `data-cg-${source}-invalid`;
  const wrapper = control.closest(".cg-prop") || control.parentElement;
  for (const old of wrapper.querySelectorAll(`small.cg-prop-problem[data-source="${source}"]`)) { old.remove(); }
  if (!message) {
    control.removeAttribute(attribute);
  } else {
    control.setAttribute(attribute, "true");
    const line = document.createElement("small");
    line.className = "cg-prop-problem";
    line.dataset.source = source;
    line.textContent = message;
    wrapper.append(line);
  }
  const invalid = control.hasAttribute("data-cg-server-invalid") || control.hasAttribute("data-cg-client-invalid");
  control.setAttribute("aria-invalid", invalid ? "true" : "false");
  control.classList.toggle("cg-invalid", invalid);
}

// Brackets and quotes of an expression close (the server checks the syntax itself on validate).
function bracketsBalance(text) {
  const stack = [];
  const pairs = { ")": "(", "]": "[", "}": "{" };
  let quote = null;
  for (const ch of text || "") {
    if (quote) { if (ch === quote) { quote = null; } continue; }
    if (ch === "\"" || ch === "'") { quote = ch; } else if ("([{".includes(ch)) { stack.push(ch); } else if (pairs[ch]) {
      if (stack.pop() !== pairs[ch]) { return false; }
    }
  }
  return !quote && !stack.length;
}

function markInvalid(control, message) {
  control.setCustomValidity(message);
  control.setAttribute("aria-invalid", message ? "true" : "false");
  control.title = message;
  if (message) { control.reportValidity(); }
}

function input(value, readonly, name) {
  const control = document.createElement("input");
  control.type = "text";
  control.name = name;
  control.value = value || "";
  control.readOnly = readonly;
  return control;
}

function option(choice, selected) {
  const node = document.createElement("option");
  node.value = choice.value;
  node.textContent = choice.label;
  node.selected = choice.value === selected;
  return node;
}

// The <optgroup> of a select for `label`, made on first use.
function group(control, groups, label) {
  if (!groups.has(label)) {
    const node = document.createElement("optgroup");
    node.label = label;
    control.append(node);
    groups.set(label, node);
  }
  return groups.get(label);
}

function paragraph(text) {
  const p = document.createElement("p");
  p.className = "cg-muted";
  p.textContent = text;
  return p;
}
