"""form-visibility.js, run under node against a minimal fake DOM (skipped without node)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "form-visibility.js"

# Just enough DOM for the script: elements with attributes, the selectors it uses, events.
HARNESS = r"""
const fs = require("fs");
function el(tag, attrs, children) {
  const e = {tagName: tag.toUpperCase(), attrs: attrs || {}, children: children || [], hidden: !!(attrs || {}).hidden,
    disabled: !!(attrs || {}).disabled, listeners: {},
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; },
    hasAttribute(n) { return n in this.attrs; },
    addEventListener(t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); },
    querySelectorAll(sel) {
      const out = [];
      const walk = (n) => { for (const c of n.children) { if (match(c, sel)) out.push(c); walk(c); } };
      walk(this); return out;
    }};
  for (const k of ["name", "type", "value", "checked"]) if (k in e.attrs) e[k] = e.attrs[k];
  if (e.tagName === "SELECT") e.options = e.children;
  return e;
}
function match(e, sel) {
  if (sel === "[name]") return "name" in e.attrs;
  if (sel === "[data-visible-if-field]") return "data-visible-if-field" in e.attrs;
  if (sel === "input, select, textarea") return ["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName);
  if (sel === "form[data-cg-form]") return e.tagName === "FORM";
  throw new Error("unexpected selector " + sel);
}
const radioDone = el("input", {name: "decision", type: "radio", value: "done", checked: true});
const radioReturn = el("input", {name: "decision", type: "radio", value: "return", checked: false});
const opt = (value, selected) => Object.assign(el("option", {value}), {selected});
const reason = el("select", {name: "reason", disabled: true}, [opt("", true), opt("other", false)]);
const reasonRow = el("div", {"data-visible-if-field": "decision", "data-visible-if-in": '["return"]', hidden: true}, [reason]);
const note = el("input", {name: "note", type: "text", value: "", disabled: true});
const noteRow = el("div", {"data-visible-if-field": "reason", "data-visible-if-in": '["other"]', hidden: true}, [note]);
const flag = el("input", {name: "urgent", type: "checkbox", value: "true", checked: false, "data-cg-boolean": ""});
const why = el("input", {name: "why", type: "text", value: ""});
const whyRow = el("div", {"data-visible-if-field": "urgent", "data-visible-if-in": '["false"]'}, [why]);
const form = el("form", {"data-cg-form": "f"}, [radioDone, radioReturn, reasonRow, noteRow, flag, whyRow]);
global.document = {readyState: "complete", querySelectorAll: (s) => (match(form, s) ? [form] : [])};
eval(fs.readFileSync(process.argv[1], "utf8"));
const fire = () => form.listeners.change.forEach((f) => f());
const state = () => [reasonRow.hidden, reason.disabled, noteRow.hidden, note.disabled, whyRow.hidden];
const steps = {initial: state()};
radioDone.checked = false; radioReturn.checked = true; fire(); steps.returned = state();
reason.options[1].selected = true; reason.options[0].selected = false; fire(); steps.other = state();
radioReturn.checked = false; radioDone.checked = true; fire(); steps.back = state();
flag.checked = true; fire(); steps.urgent = state();
console.log(JSON.stringify(steps));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_visibility_script_shows_hides_and_disables_fields_including_chains() -> None:
    out = subprocess.run(["node", "-e", HARNESS, str(SCRIPT)], capture_output=True, text=True, check=True, timeout=30)
    steps = json.loads(out.stdout)
    # [reason hidden, reason disabled, note hidden, note disabled, why hidden]
    assert steps["initial"] == [True, True, True, True, False]
    assert steps["returned"] == [False, False, True, True, False]
    assert steps["other"] == [False, False, False, False, False]
    assert steps["back"] == [True, True, True, True, False]  # note hides with its hidden controller
    assert steps["urgent"] == [True, True, True, True, True]
