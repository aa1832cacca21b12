// The dashboard's charts: ECharts (global echarts from static/vendor), data embedded in the page as JSON.
(function () {
  "use strict";
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
      legend: { data: [t.opened, t.onTime, t.late, t.rate] },
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
      legend: { data: [t.open, t.atRisk, t.overdue] },
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
