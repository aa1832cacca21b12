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
    modeler.on("selection.changed", (event) => this.show(event.newSelection.length === 1 ? event.newSelection[0] : null));
    // Undo/redo or edits on the canvas: refresh unless someone is typing in the panel.
    modeler.on("commandStack.changed", () => {
      if (!this.container.contains(document.activeElement)) { this.show(this.element); }
    });
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
  }

  processFields(element, process, withKey = true) {
    if (withKey) { this.container.append(this.field("processKey", input(process.id, true, "processKey"))); }
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
    const kindSelect = this.select("timerKind", kinds, kind, (v) => update(v, expression.value), false);
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
    control.addEventListener("change", () => onChange(control.value.trim() ? control.value : ""));
    return control;
  }

  // Choices plus the current value when it is not one of them (a diagram may name a form not yet made).
  select(name, choices, value, onChange, blank = true) {
    const control = document.createElement("select");
    control.name = name;
    const options = blank ? [{ value: "", label: t("choose") }, ...choices] : [...choices];
    if (value && !choices.some((c) => c.value === value)) { options.push({ value, label: value }); }
    for (const choice of options) {
      const option = document.createElement("option");
      option.value = choice.value;
      option.textContent = choice.value && choice.label !== choice.value ? `${choice.label}（${choice.value}）` : choice.label;
      option.selected = choice.value === value;
      control.append(option);
    }
    control.addEventListener("change", () => onChange(control.value));
    return control;
  }

  // One checkbox per choice (plus codes the diagram names that are not choices); onChange gets the checked codes.
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
      });
      label.append(box, document.createTextNode(choice.label !== choice.value ? `${choice.label}（${choice.value}）` : choice.value));
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

function paragraph(text) {
  const p = document.createElement("p");
  p.className = "cg-muted";
  p.textContent = text;
  return p;
}
