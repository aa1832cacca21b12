// A small properties panel for the casegrid conventions (docs/bpmn-conventions.md): lane codes, formKey,
// calledDecisionId, routing expressions, timers, conditions, scripts.
//
// The spiffworkflow extension namespace is deliberately NOT registered with bpmn-moddle: unregistered
// elements are kept as generic elements and written back verbatim, so preScript, postScript and anything
// else a diagram carries survives a round trip through the modeler. We edit those generic elements here.
import { t } from "./studio-common.js";

const SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core";
const EXPRESSION_PROPERTIES = ["department", "gridCell", "candidateUsers", "dueAt"];
const TIMER_KINDS = ["timeDuration", "timeDate", "timeCycle"];

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

export function calledDecision(bo) {
  const node = findGeneric(bo, "calledDecisionId");
  return node ? (node.$body || "").trim() : "";
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

  // Extension elements are replaced as a whole through modeling so the change is on the undo stack.
  withExtensions(element, change) {
    const bo = element.businessObject;
    const ext = bo.extensionElements || this.moddle.create("bpmn:ExtensionElements", { values: [] });
    change(ext);
    ext.values = ext.values.filter((v) => v.$type !== "spiffworkflow:properties" || (v.$children || []).length);
    this.modeling.updateProperties(element, { extensionElements: ext.values.length ? ext : undefined });
  }

  setSpiffProperty(element, name, value) {
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
    });
  }

  setCalledDecision(element, value) {
    this.withExtensions(element, (ext) => {
      ext.values = ext.values.filter((v) => v.$type !== "spiffworkflow:calledDecisionId");
      if (value) {
        const node = this.moddle.createAny("spiffworkflow:calledDecisionId", SPIFF_NS, {});
        node.$body = value;
        ext.values.push(node);
      }
    });
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
    heading.textContent = bo.$type.replace("bpmn:", "");
    box.append(heading);
    box.append(this.field(t("id"), input(bo.id, true, "id")));
    if (isType(bo, "bpmn:Lane")) {
      box.append(this.field(t("laneCode"), this.select("laneCode", this.names.lanes, bo.name || "",
        (v) => this.modeling.updateProperties(target, { name: v }))));
      return;
    }
    if (isType(bo, "bpmn:Collaboration") || isType(bo, "bpmn:Participant")) {
      const participants = isType(bo, "bpmn:Participant") ? [bo] : (bo.participants || []);
      for (const participant of participants) {
        if (participant.processRef) {
          box.append(this.field(t("processKey"), input(participant.processRef.id, true, "processKey")));
        }
      }
      box.append(this.field(t("name"), this.text("name", bo.name, (v) => this.modeling.updateProperties(target, { name: v }))));
      return;
    }
    box.append(this.field(t("name"), this.text("name", bo.name, (v) => this.modeling.updateProperties(target, { name: v }))));
    if (isType(bo, "bpmn:UserTask") || isType(bo, "bpmn:StartEvent")) {
      box.append(this.field(t("form"), this.select("formKey", this.names.forms, spiffProperty(bo, "formKey"),
        (v) => this.setSpiffProperty(target, "formKey", v))));
    }
    if (isType(bo, "bpmn:UserTask")) {
      for (const name of EXPRESSION_PROPERTIES) {
        box.append(this.field(t(name), this.text(name, spiffProperty(bo, name), (v) => this.setSpiffProperty(target, name, v))));
      }
    }
    if (isType(bo, "bpmn:BusinessRuleTask")) {
      box.append(this.field(t("decision"), this.select("calledDecisionId", this.names.decisions, calledDecision(bo),
        (v) => this.setCalledDecision(target, v))));
    }
    if (isType(bo, "bpmn:ScriptTask")) {
      box.append(this.field(t("script"), this.text("script", bo.script, (v) => this.modeling.updateProperties(target, { script: v }), true)));
    }
    if (isType(bo, "bpmn:SequenceFlow")) {
      const condition = bo.conditionExpression ? bo.conditionExpression.body : "";
      box.append(this.field(t("condition"), this.text("condition", condition, (v) => this.modeling.updateProperties(target, {
        conditionExpression: v ? this.moddle.create("bpmn:FormalExpression", { body: v }) : undefined,
      }))));
    }
    const timer = (bo.eventDefinitions || []).find((d) => isType(d, "bpmn:TimerEventDefinition"));
    if (timer) { this.timerFields(target, timer); }
  }

  timerFields(element, timer) {
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
    this.container.append(this.field(t("timerKind"), kindSelect));
    this.container.append(this.field(t("timerExpression"), expression));
  }

  field(label, control) {
    const wrapper = document.createElement("label");
    wrapper.className = "cg-prop";
    const caption = document.createElement("span");
    caption.textContent = label;
    wrapper.append(caption, control);
    return wrapper;
  }

  text(name, value, onChange, multiline = false) {
    const control = multiline ? document.createElement("textarea") : input(value, false, name);
    if (multiline) { control.value = value || ""; control.name = name; control.rows = 6; }
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
      option.textContent = choice.value && choice.label !== choice.value ? `${choice.value} · ${choice.label}` : choice.label;
      option.selected = choice.value === value;
      control.append(option);
    }
    control.addEventListener("change", () => onChange(control.value));
    return control;
  }
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
