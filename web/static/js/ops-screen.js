/* The operations-centre screen: draws the figures, then polls /screen/data.json with If-None-Match.
 * A 304 keeps what is shown; a failed poll (the server restarting, the network) marks the screen
 * "reconnecting" and tries again with a growing pause, until the server answers again. */
(function () {
  "use strict";
  var root = document.getElementById("cg-screen");
  var payload = JSON.parse(document.getElementById("cg-screen-data").textContent);
  var texts = JSON.parse(document.getElementById("cg-screen-texts").textContent);
  var every = Math.max(1, parseInt(root.getAttribute("data-refresh-seconds"), 10) || 15) * 1000;
  var big = window.innerHeight > 1600;
  var font = big ? 26 : 14;
  var axis = { color: "#a0aec0", fontSize: font };
  var grid = { left: 8, right: 16, top: 34, bottom: 8, containLabel: true };
  var etag = null;
  var charts = {};
  var failures = 0;

  function escape(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id));
      window.addEventListener("resize", function () { charts[id].resize(); });
    }
    return charts[id];
  }

  function legend() { return { top: 0, textStyle: { color: "#e2e8f0", fontSize: font } }; }

  function drawToday(s) {
    chart("cg-screen-today").setOption({
      tooltip: { trigger: "item" }, legend: legend(),
      series: [
        { type: "pie", radius: ["0%", "42%"], center: ["50%", "58%"], data: s.byFamily,
          label: { color: "#e2e8f0", fontSize: font, position: "inner", formatter: "{c}" } },
        // Counts inside the ring, names in the legend: names beside the ring ran out of the panel's
        // width and were cut to "网..." on a 1920 and even a 3840 wall.
        { type: "pie", radius: ["55%", "75%"], center: ["50%", "58%"], data: s.bySource,
          label: { color: "#fff", fontSize: font, position: "inside", formatter: "{c}",
                   textBorderColor: "#0b1a2e", textBorderWidth: 2 } }
      ]
    }, true);
  }

  function drawDepartments(s) {
    var d = s.departments;
    chart("cg-screen-departments").setOption({
      tooltip: { trigger: "axis" }, legend: legend(), grid: grid,
      xAxis: { type: "value", axisLabel: axis, splitLine: { lineStyle: { color: "#1e3a5f" } } },
      yAxis: { type: "category", data: d.names, inverse: true, axisLabel: axis },
      series: [
        { type: "bar", stack: "s", name: texts.openSteps, data: d.open, itemStyle: { color: "#3182ce" } },
        { type: "bar", stack: "s", name: texts.overdueSteps, data: d.overdue, itemStyle: { color: "#e5484d" } }
      ]
    }, true);
  }

  function drawTrend(s) {
    var t = s.trend;
    chart("cg-screen-trend").setOption({
      tooltip: { trigger: "axis" }, legend: legend(), grid: grid,
      xAxis: { type: "category", data: t.days, axisLabel: axis },
      yAxis: { type: "value", axisLabel: axis, splitLine: { lineStyle: { color: "#1e3a5f" } } },
      series: [
        { type: "line", name: texts.openedCases, data: t.opened, smooth: true, itemStyle: { color: "#63b3ed" } },
        { type: "bar", stack: "c", name: texts.closedOnTime, data: t.closedOnTime, itemStyle: { color: "#30a46c" } },
        { type: "bar", stack: "c", name: texts.closedLate, data: t.closedLate, itemStyle: { color: "#e5484d" } }
      ]
    }, true);
  }

  function drawLists(s) {
    var emergencies = s.emergencies.map(function (e) {
      return "<li><span class=\"cg-grade cg-grade-" + e.gradeLevel + "\">" + escape(e.grade) + "</span>" +
        "<b>" + escape(e.title) + "</b> <span class=\"cg-muted-dark\">" + escape(e.key) + " · " + escape(e.cell) +
        " · " + escape(e.opened) + "</span><br><span class=\"cg-agencies\">" +
        e.agencies.map(function (a) {
          return escape(texts.agencyStatus.replace(/\{(name|status)\}/g, function (_m, key) { return a[key]; }));
        }).join(escape(texts.listSeparator)) + "</span></li>";
    });
    document.getElementById("cg-screen-emergencies").innerHTML =
      emergencies.join("") || "<li class=\"cg-muted-dark\">" + escape(texts.noEmergency) + "</li>";
    var escalations = s.escalations.map(function (e) {
      return "<li><b>" + escape(e.key) + "</b> " + escape(e.step) + " · " + escape(e.department) +
        " <span class=\"cg-muted-dark\">" + escape(e.reason) + (e.to ? " · " + escape(e.to) : "") + " · " +
        escape(e.at) + "</span></li>";
    });
    document.getElementById("cg-screen-escalations").innerHTML =
      escalations.join("") || "<li class=\"cg-muted-dark\">" + escape(texts.noEscalation) + "</li>";
    fitLists();
  }

  // A list keeps the entries that fit its panel whole: the panel clips (the screen never scrolls), and an
  // entry cut through its middle cannot be read. The newest come first, so the oldest are the ones left out.
  function fitLists() {
    Array.prototype.forEach.call(document.querySelectorAll(".cg-screen-list"), function (list) {
      var bottom = list.getBoundingClientRect().bottom;
      Array.prototype.forEach.call(list.children, function (item) { item.hidden = false; });
      var full = false;
      Array.prototype.forEach.call(list.children, function (item, index) {
        full = full || (index > 0 && item.getBoundingClientRect().bottom > bottom + 0.5);
        item.hidden = full;
      });
    });
  }
  window.addEventListener("resize", fitLists);

  function drawKpis(s) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kpi]"), function (el) {
      el.textContent = s.headline[el.getAttribute("data-kpi")];
    });
    document.getElementById("cg-screen-updated").textContent = s.generated;
  }

  var map = null;
  function drawAll(data) {
    var s = data.screen;
    drawKpis(s); drawToday(s); drawDepartments(s); drawTrend(s); drawLists(s);
    if (!map) {
      map = CasegridMap.draw(document.getElementById("cg-screen-map"), data.outlines, s.map, texts,
                             { theme: "dark", compact: true, big: big, mapName: "casegrid-screen" });
    } else {
      CasegridMap.update(map, s.map);
    }
    root.setAttribute("data-drawn", String((parseInt(root.getAttribute("data-drawn"), 10) || 0) + 1));
  }

  function status(live) {
    var el = document.getElementById("cg-screen-status");
    el.setAttribute("data-state", live ? "live" : "lost");
    el.textContent = live ? texts.live : texts.reconnecting;
  }

  function poll() {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(root.getAttribute("data-source"), { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        status(true);
        if (data) { drawAll(data); }
        root.setAttribute("data-polls", String((parseInt(root.getAttribute("data-polls"), 10) || 0) + 1));
        setTimeout(poll, every);
      })
      .catch(function () {
        failures += 1;
        status(false);
        setTimeout(poll, Math.min(60000, 2000 * failures));
      });
  }

  drawAll(payload);
  setTimeout(poll, every);
})();
