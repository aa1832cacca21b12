/*
 * casegrid forms: conditional visibility (ui:visibleIf) in the browser.
 *
 * The server renders each conditional field's wrapper with
 *   data-visible-if-field="<controlling field name>"
 *   data-visible-if-in='["value", ...]'   (option values as strings; booleans "true"/"false")
 * and already hides (hidden attribute) and disables the fields that are hidden for the
 * current values, so the page is right before this script runs and without it.
 * This script re-evaluates on every change. Inputs of a hidden field are disabled, so the
 * browser neither submits them nor enforces their `required`; the server drops hidden
 * fields anyway. A field whose controlling field is hidden is hidden too.
 * No dependencies.
 */
(function () {
  "use strict";

  function controllerValues(form, name) {
    var values = [];
    var inputs = form.querySelectorAll("[name]");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.name !== name || el.disabled) continue;
      if (el.type === "checkbox" && el.hasAttribute("data-cg-boolean")) {
        values.push(el.checked ? "true" : "false");
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT") {
        for (var j = 0; j < el.options.length; j++) {
          if (el.options[j].selected && el.options[j].value !== "") values.push(el.options[j].value);
        }
      } else if (el.value !== "") {
        values.push(el.value);
      }
    }
    return values;
  }

  function setShown(wrapper, shown) {
    wrapper.hidden = !shown;
    var controls = wrapper.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i++) controls[i].disabled = !shown;
  }

  function update(form) {
    var wrappers = form.querySelectorAll("[data-visible-if-field]");
    // Repeat until nothing changes: showing or hiding one field can change another's controller.
    for (var pass = 0; pass <= wrappers.length; pass++) {
      var changed = false;
      for (var i = 0; i < wrappers.length; i++) {
        var w = wrappers[i];
        var allowed;
        try {
          allowed = JSON.parse(w.getAttribute("data-visible-if-in") || "[]");
        } catch (e) {
          allowed = [];
        }
        var current = controllerValues(form, w.getAttribute("data-visible-if-field"));
        var shown = current.some(function (v) { return allowed.indexOf(v) !== -1; });
        if (shown === w.hidden) {
          setShown(w, shown);
          changed = true;
        }
      }
      if (!changed) return;
    }
  }

  function init() {
    var forms = document.querySelectorAll("form[data-cg-form]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var handler = function () { update(form); };
        form.addEventListener("change", handler);
        form.addEventListener("input", handler);
        update(form);
      })(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
