// The dashboard's charts: ECharts (global echarts from static/vendor), data embedded in the page as JSON.
// Legends get a band of their own (LEGEND_BAND) that the plot grid leaves free, and grids contain their
// axis labels: a legend must never sit on the axis names or on rotated department names.
(function () {
  "use strict";
  var LEGEND_BAND = 32; // px kept free for a one-line (scrolling) legend
  function legend(names, where) {
    var band = { type: "scroll", data: names, left: "center" };
    band[where] = 0;
    return band;
  }
  function draw() {
    var trendBox = document.getElementById("cg-trend-chart");
    if (!trendBox) { return; }
    if (typeof window.echarts === "undefined") {
      trendBox.textContent = trendBox.getAttribute("data-unavailable");
      return;
    }
    var data = JSON.parse(document.getElementById("cg-chart-data").textContent);
    var t = JSON.parse(document.getElementById("cg-chart-texts").textContent);
    var trend = window.echarts.init(trendBox);
    trend.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      // Legend below the plot: the axis names (count, %) sit above it.
      legend: legend([t.opened, t.onTime, t.late, t.rate], "bottom"),
      grid: { top: 40, left: 12, right: 12, bottom: LEGEND_BAND + 8, containLabel: true },
      xAxis: { type: "category", data: data.days },
      yAxis: [{ type: "value", name: t.count, minInterval: 1 }, { type: "value", name: t.percent, min: 0, max: 100 }],
      series: [
        { name: t.opened, type: "line", data: data.opened },
        { name: t.onTime, type: "bar", stack: "closed", data: data.closedOnTime, itemStyle: { color: "#2e7d32" } },
        { name: t.late, type: "bar", stack: "closed", data: data.closedLate, itemStyle: { color: "#c62828" } },
        { name: t.rate, type: "line", yAxisIndex: 1, connectNulls: true, data: data.onTimeRate, itemStyle: { color: "#1565c0" } }
      ]
    });
    var deptBox = document.getElementById("cg-department-chart");
    var dept = window.echarts.init(deptBox);
    dept.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      // Legend above the plot: the rotated department names take the space below it.
      legend: legend([t.open, t.atRisk, t.overdue], "top"),
      grid: { top: LEGEND_BAND + 8, left: 12, right: 12, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.departments, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: t.open, type: "bar", stack: "open", data: data.open, itemStyle: { color: "#90a4ae" } },
        { name: t.atRisk, type: "bar", stack: "open", data: data.atRisk, itemStyle: { color: "#ef6c00" } },
        { name: t.overdue, type: "bar", stack: "open", data: data.overdue, itemStyle: { color: "#c62828" } }
      ]
    });
    window.addEventListener("resize", function () { trend.resize(); dept.resize(); });
    trendBox.setAttribute("data-rendered", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
