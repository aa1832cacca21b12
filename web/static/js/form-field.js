/*
 * casegrid forms in the field: photos from the camera, and the position with the person's consent.
 *
 * Camera (attachments fields with ui:options.capture): the server renders a "拍照" label for an input
 * with the `capture` attribute. Such an input holds one photo; after each photo this script moves the
 * filled input aside and puts an empty one in its place, so several photos can be taken and all of
 * them are posted (every input is named "<field>__upload").
 *
 * Location (forms with latitude and longitude fields): the server renders a hidden "使用当前位置" block.
 * It is shown only where the browser offers geolocation (a secure page), and the position is asked
 * for only when the button is pressed: the browser then asks the person's permission. Nothing is
 * asked for on page load, and a refusal just says so; the fields stay editable.
 * No dependencies.
 */
(function () {
  "use strict";

  function setupCamera(block) {
    var status = block.querySelector("span");
    var template = block.querySelector("input[type=file]");
    if (!template) return;
    var taken = 0;
    function onChange(event) {
      var input = event.target;
      if (!input.files || !input.files.length) return;
      taken += input.files.length;
      var fresh = input.cloneNode(false);
      fresh.value = "";
      fresh.addEventListener("change", onChange);
      // The filled input keeps its file for the post; the label now opens the fresh one.
      input.removeAttribute("id");
      input.parentNode.insertBefore(fresh, input.nextSibling);
      if (status) status.textContent = (block.getAttribute("data-taken") || "{n}").replace("{n}", String(taken));
    }
    template.addEventListener("change", onChange);
  }

  function setupLocation(block) {
    if (!("geolocation" in navigator) || (window.isSecureContext === false)) return;  // nothing to offer
    var latitude = document.getElementById(block.getAttribute("data-latitude"));
    var longitude = document.getElementById(block.getAttribute("data-longitude"));
    var button = block.querySelector("button");
    var status = block.querySelector("[role=status]");
    if (!latitude || !longitude || !button) return;
    block.hidden = false;
    function say(text) { if (status) status.textContent = text || ""; }
    button.addEventListener("click", function () {
      button.disabled = true;
      say(block.getAttribute("data-locating"));
      navigator.geolocation.getCurrentPosition(function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        [latitude, longitude].forEach(function (el) { el.dispatchEvent(new Event("change", { bubbles: true })); });
        say((block.getAttribute("data-located") || "").replace("{m}", String(Math.round(position.coords.accuracy || 0))));
        button.disabled = false;
      }, function (error) {
        say(block.getAttribute(error && error.code === 1 ? "data-denied" : "data-failed"));
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cg-camera]"), setupCamera);
    Array.prototype.forEach.call(document.querySelectorAll("[data-cg-locate]"), setupLocation);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
