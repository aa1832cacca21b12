/* The district's case map (一图感知), drawn with ECharts' geo component from the district's own outlines
 * (a tile server underneath only when one is configured, map-tiles.js): grid cells shaded by their open
 * cases (a red border where some are overdue), street and community borders, open cases as points
 * coloured by their time-limit state, hot spots as rippling marks. Clicking a point opens its case. Used
 * by /map (data in #cg-map-data) and by the operations screen (ops-screen.js calls CasegridMap.draw /
 * CasegridMap.update); the report form's picker (map-picker.js) draws the same base map through
 * CasegridMap.register, .geo and .borders. */
(function (global) {
  "use strict";
  var COLOURS = { overdue: "#e5484d", at_risk: "#f5a524", on_time: "#30a46c", paused: "#5a67d8", hot: "#b146c2" };
  var THEMES = {
    light: { area: "#eef3f8", border: "#8fa3b8", street: "#2d4a6b", community: "#7d93ab", label: "#2d4a6b",
             shade: ["#eef3f8", "#9ec5ee"], text: "#1f2d3d", overdueBorder: "#e5484d" },
    dark: { area: "#0f2440", border: "#2c5282", street: "#63b3ed", community: "#2b6cb0", label: "#bee3f8",
            shade: ["#0f2440", "#2b6cb0"], text: "#e2e8f0", overdueBorder: "#ff6b6b" }
  };
  var SCALE_BAND = 54;  // px under the /map district for the shading's scale
  var registered = {};
  var RAD = Math.PI / 180;
  // Web Mercator in degrees: outlines keep their shape on the ground, and tiles (Mercator squares) fit them.
  var MERCATOR = {
    project: function (p) { return [p[0], -Math.log(Math.tan(Math.PI / 4 + p[1] * RAD / 2)) / RAD]; },
    unproject: function (p) { return [p[0], (2 * Math.atan(Math.exp(-p[1] * RAD)) - Math.PI / 2) / RAD]; }
  };

  function escape(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function lines(rings) {
    return rings.map(function (ring) { return { coords: ring }; });
  }

  // The longitude and latitude under a pixel of the chart. ECharts' own convertFromPixel unprojects before
  // it undoes pan and zoom when the geo has a projection (6.1), so the answer is wrong; pan and zoom only
  // scale and shift, so two points drawn with convertToPixel give the exact inverse.
  function toLonLat(chart, pixel) {
    var a = chart.convertToPixel({ geoIndex: 0 }, [0, 0]), b = chart.convertToPixel({ geoIndex: 0 }, [1, 1]);
    if (!a || !b || a[0] === b[0] || a[1] === b[1]) return null;
    var mercatorB = MERCATOR.project([1, 1])[1];
    var lon = (pixel[0] - a[0]) / (b[0] - a[0]);
    var y = (pixel[1] - a[1]) / (b[1] - a[1]) * mercatorB;
    return MERCATOR.unproject([lon, y]);
  }

  function register(outlines, name) {
    if (!registered[name]) {
      echarts.registerMap(name, outlines.cells);
      registered[name] = true;
    }
  }

  // The grid cells as the geo component every map page draws on (opts: mapName, roam, tiles, regions).
  function geo(theme, opts) {
    return { map: opts.mapName, projection: MERCATOR, roam: !!opts.roam, top: 10, bottom: opts.bottom || 10, left: 10, right: 10,
             itemStyle: { areaColor: theme.area, borderColor: theme.border, borderWidth: 0.6, opacity: opts.tiles ? 0.55 : 1 },
             emphasis: { label: { show: false }, itemStyle: { areaColor: theme.shade[1] } },
             label: { show: false }, select: { disabled: true }, regions: opts.regions || [] };
  }

  // Community and street borders and the streets' names, over the cells; the tiles (if any) under them.
  function borders(outlines, theme, opts) {
    var big = opts.big ? 2 : 1;
    return [
      { type: "lines", coordinateSystem: "geo", polyline: true, silent: true, zlevel: 1,
        lineStyle: { color: theme.community, width: 1 * big, type: "dashed", opacity: 0.8 },
        data: lines(outlines.communities) },
      { type: "lines", coordinateSystem: "geo", polyline: true, silent: true, zlevel: 1,
        lineStyle: { color: theme.street, width: 2.2 * big, opacity: 0.95 }, data: lines(outlines.streets) },
      { type: "scatter", coordinateSystem: "geo", silent: true, zlevel: 1, symbolSize: 0,
        label: { show: true, formatter: "{b}", color: theme.label, fontSize: 13 * big, fontWeight: "bold",
                 textBorderColor: opts.theme === "dark" ? "#0b1a2e" : "#fff", textBorderWidth: 2 },
        data: outlines.streetLabels }
    ].concat(opts.tiles && global.CasegridTiles ? [global.CasegridTiles.series(opts.tiles)] : []);
  }

  function option(outlines, data, texts, opts) {
    var theme = THEMES[opts.theme] || THEMES.light;
    var big = opts.big ? 2 : 1;
    var max = Math.max(1, Math.max.apply(null, data.cells.map(function (c) { return c.value; }).concat([1])));
    var cellData = data.cells.map(function (c) {
      return { name: c.name, value: c.value, overdue: c.overdue };
    });
    // A cell with overdue cases gets a red border (a region style of the geo component).
    var regions = data.cells.filter(function (c) { return c.overdue; }).map(function (c) {
      return { name: c.name, itemStyle: { borderColor: theme.overdueBorder, borderWidth: 2.5 * big } };
    });
    function pointSeries(state) {
      return {
        type: "scatter", name: texts[state], coordinateSystem: "geo", zlevel: 2,
        symbolSize: function (value, params) { return (params.data.exact ? 9 : 7) * big; },
        itemStyle: { color: COLOURS[state], borderColor: "#fff", borderWidth: 1 },
        data: data.points.filter(function (p) { return p.sla === state; }),
        tooltip: { formatter: function (p) {
          var d = p.data;
          return "<b>" + escape(d.key) + "</b> " + escape(d.title) + "<br>" + escape(d.family) +
            (d.category ? " · " + escape(d.category) : "") + "<br>" + escape(d.cell) +
            (d.department ? " · " + escape(d.department) : "") + "<br>" + escape(texts.opened) + " " + escape(d.opened) +
            " · " + escape(d.pause || texts[d.sla]) + (d.exact ? "" : "<br><i>" + escape(texts.approximate) + "</i>");
        } }
      };
    }
    return {
      backgroundColor: "transparent",
      tooltip: { trigger: "item", confine: true, textStyle: { fontSize: 13 * big } },
      // The shading's scale lies in a band of its own under the map: over it, it hid the corner cells.
      visualMap: { type: "continuous", min: 0, max: max, seriesIndex: 0, show: !opts.compact, orient: "horizontal",
                   left: "center", bottom: 6, itemWidth: 12, itemHeight: 160,
                   text: [String(max), "0"], calculable: false, inRange: { color: theme.shade },
                   textStyle: { color: theme.text, fontSize: 12 * big } },
      geo: geo(theme, { mapName: opts.mapName, roam: !opts.compact, tiles: opts.tiles, regions: regions,
                        bottom: opts.compact ? 10 : SCALE_BAND }),
      series: [
        { type: "map", geoIndex: 0, data: cellData,
          tooltip: { formatter: function (p) {
            var d = p.data || { value: 0, overdue: 0 };
            return "<b>" + escape(outlines.cellNames[p.name] || "") + "</b><br>" + escape(texts.open) + " " +
              (d.value || 0) + " · " + escape(texts.overdueCases) + " " + (d.overdue || 0);
          } } },
        pointSeries("paused"), pointSeries("on_time"), pointSeries("at_risk"), pointSeries("overdue"),
        { type: "effectScatter", name: texts.hotSpot, coordinateSystem: "geo", zlevel: 3,
          rippleEffect: { scale: 3.5, brushType: "stroke" },
          symbolSize: function (value, params) { return (12 + Math.min(12, params.data.reports * 2)) * big; },
          itemStyle: { color: COLOURS.hot }, data: data.hotSpots,
          tooltip: { formatter: function (p) {
            var d = p.data;
            return "<b>" + escape(texts.hotSpot) + " " + escape(d.key) + "</b><br>" + escape(d.title) + "<br>" +
              escape(d.cell) + " · " + d.reports + " " + escape(texts.reports);
          } } }
      ].concat(borders(outlines, theme, opts))
    };
  }

  function draw(element, outlines, data, texts, opts) {
    opts = opts || {};
    opts.mapName = opts.mapName || "casegrid-district";
    register(outlines, opts.mapName);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(outlines, data, texts, opts));
    if (opts.tiles && global.CasegridTiles) global.CasegridTiles.attach(chart, opts.tiles);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { global.location.href = params.data.url; }
    });
    global.addEventListener("resize", function () { chart.resize(); });
    chart.cgParts = { outlines: outlines, texts: texts, opts: opts };
    return chart;
  }

  function update(chart, data) {
    var parts = chart.cgParts;
    chart.setOption(option(parts.outlines, data, parts.texts, parts.opts), { notMerge: true });
    if (chart.cgTiles) chart.cgTiles();
  }

  global.CasegridMap = { draw: draw, update: update, register: register, geo: geo, borders: borders,
                         toLonLat: toLonLat, themes: THEMES, escape: escape };

  var source = document.getElementById("cg-map-data");
  var target = document.getElementById("cg-case-map");
  if (source && target) {
    var payload = JSON.parse(source.textContent);
    global.cgCaseMap = draw(target, payload.outlines, payload.map, payload.texts,
                            { theme: "light", tiles: payload.tiles || null });
    target.setAttribute("data-ready", "1");
  }
})(window);
