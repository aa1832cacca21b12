/* The report form's map picker (forms with latitude and longitude fields, in a district whose grid cells
 * are drawn; web/templates/forms/_map_picker.html). The base map is the /map page's (CasegridMap in
 * case-map.js). A click, or a tap on a phone, fills the two fields and drops a marker; the line under the
 * map names the grid cell the point lies in as the server answers it (/locate: the lookup that derives
 * the report's cell on submit, which stays the one that counts). Coordinates typed, or filled by
 * 使用当前位置, move the marker too. */
(function (global) {
  "use strict";
  var MAP = "casegrid-district";
  var PICKED = "#d64545";

  function number(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? value : null;
  }

  function setup(block) {
    var latitude = document.getElementById(block.getAttribute("data-latitude"));
    var longitude = document.getElementById(block.getAttribute("data-longitude"));
    var element = block.querySelector(".cg-map-picker-map");
    var status = block.querySelector("[role=status]");
    var source = block.querySelector("script[type='application/json']");
    if (!latitude || !longitude || !element || !source || !global.echarts || !global.CasegridMap) return;
    var data = JSON.parse(source.textContent);
    var map = global.CasegridMap;
    var theme = map.themes.light;
    var asked = 0;
    var shown = null;

    map.register(data.outlines, MAP);
    block.hidden = false;  // before init: ECharts sizes the chart from the visible element
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var geo = map.geo(theme, { mapName: MAP, roam: true, tiles: data.tiles });
    geo.tooltip = { show: true, formatter: function (p) { return map.escape(data.outlines.cellNames[p.name] || ""); } };
    chart.setOption({
      tooltip: { trigger: "item", confine: true },
      geo: geo,
      series: map.borders(data.outlines, theme, { tiles: data.tiles }).concat([
        { id: "cg-picked", type: "scatter", coordinateSystem: "geo", zlevel: 2, silent: true, symbol: "pin",
          symbolSize: 34, symbolOffset: [0, "-45%"], itemStyle: { color: PICKED, borderColor: "#fff", borderWidth: 1 },
          data: [] }
      ])
    });
    if (data.tiles && global.CasegridTiles) global.CasegridTiles.attach(chart, data.tiles);
    global.addEventListener("resize", function () { chart.resize(); });

    function say(state, text) {
      block.setAttribute("data-state", state);
      status.textContent = text || "";
    }

    function mark(lon, lat, cell) {
      chart.setOption({
        geo: { regions: cell ? [{ name: cell, itemStyle: { areaColor: "#ffe08a" } }] : [] },
        series: [{ id: "cg-picked", data: [[lon, lat]] }]
      });
    }

    // The submit takes the point's cell over the one chosen in the form's cell list: the list shows it,
    // so the form does not name one cell in the list and another under the map.
    function showCell(cell) {
      var form = block.closest("form");
      var list = form && form.querySelector("select[name=grid_cell]");
      if (!list || list.value === cell) return;
      var offered = Array.prototype.some.call(list.options, function (o) { return o.value === cell; });
      if (!offered) return;
      list.value = cell;
      list.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function locate(lon, lat) {
      var ticket = ++asked;  // only the latest pick's answer is shown
      mark(lon, lat, null);
      say("pending", block.getAttribute("data-pending"));
      var query = "?latitude=" + encodeURIComponent(lat.toFixed(6)) + "&longitude=" + encodeURIComponent(lon.toFixed(6));
      fetch(block.getAttribute("data-locate") + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (answer) {
          if (ticket !== asked) return;
          if (answer.cell) {
            mark(lon, lat, answer.cell);
            showCell(answer.cell);
            say("inside", block.getAttribute("data-inside").replace("{name}", answer.name || ""));
          } else {
            say("outside", answer.message);
          }
        })
        .catch(function () { if (ticket === asked) say("failed", block.getAttribute("data-failed")); });
    }

    function pick(lon, lat) {
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      shown = latitude.value + "," + longitude.value;
      [latitude, longitude].forEach(function (el) { el.dispatchEvent(new Event("change", { bubbles: true })); });
      locate(lon, lat);
    }

    // Fields emptied, or changed to no position on earth: the last pick's marker and cell would claim a
    // place the form no longer holds, so both go (an answer still on its way is dropped too).
    function clear() {
      asked += 1;
      shown = null;
      chart.setOption({ geo: { regions: [] }, series: [{ id: "cg-picked", data: [] }] });
      block.removeAttribute("data-state");
      status.textContent = "";
    }

    // A position typed or filled by the location button: shown once both fields hold one.
    function fromFields() {
      var lat = number(latitude), lon = number(longitude);
      var key = latitude.value + "," + longitude.value;
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        if (shown !== null) clear();
        return;
      }
      if (key === shown) return;
      shown = key;
      locate(lon, lat);
    }

    var zr = chart.getZr();
    // zrender reports no click for a press that moved more than a few pixels: panning is not picking.
    zr.on("click", function (e) {
      var point = map.toLonLat(chart, [e.offsetX, e.offsetY]);
      if (point && isFinite(point[0]) && isFinite(point[1])) pick(point[0], point[1]);
    });
    latitude.addEventListener("change", fromFields);
    longitude.addEventListener("change", fromFields);
    fromFields();  // a form shown again after a refusal keeps its point
    global.cgMapPicker = chart;
    block.setAttribute("data-ready", "1");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cg-map-picker]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})(window);
