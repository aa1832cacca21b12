/* Tiles of an optional tile server (CASEGRID_MAP_TILE_URL, web/maptiles.py) under the district's outlines,
 * drawn by ECharts itself: a custom series of images placed through the geo component (whose projection
 * is Web Mercator, case-map.js, so the tiles' squares line up with the outlines). ECharts has no tile
 * layer, and a second map library would mean a second copy of the drawing code for the same outlines.
 * Without a tile URL none of this runs, and the page asks nothing of any other host.
 * Used by case-map.js (/map) and map-picker.js (the report form). */
(function (global) {
  "use strict";
  var SERIES_ID = "cg-tiles";
  var MAX_TILES = 120;  // a very wide view takes a shallower zoom level rather than hundreds of tiles
  var RAD = Math.PI / 180;

  function tileX(lon, z) { return (lon + 180) / 360 * Math.pow(2, z); }
  function tileY(lat, z) {
    var s = Math.sin(Math.max(-85, Math.min(85, lat)) * RAD);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * Math.pow(2, z);
  }
  function lonOf(x, z) { return x / Math.pow(2, z) * 360 - 180; }
  function latOf(y, z) { return Math.atan(Math.sinh(Math.PI - 2 * Math.PI * y / Math.pow(2, z))) / RAD; }

  function url(template, z, x, y) {
    return template.replace("{z}", String(z)).replace("{x}", String(x)).replace("{y}", String(y));
  }

  function series(tiles) {
    return {
      id: SERIES_ID, type: "custom", coordinateSystem: "geo", geoIndex: 0, silent: true, z: -10, clip: false,
      animation: false, tooltip: { show: false }, data: [],
      renderItem: function (params, api) {
        var x = api.value(2), y = api.value(3), z = api.value(4);
        var nw = api.coord([lonOf(x, z), latOf(y, z)]), se = api.coord([lonOf(x + 1, z), latOf(y + 1, z)]);
        return { type: "image", silent: true,
                 style: { image: url(tiles.url, z, x, y), x: nw[0], y: nw[1], width: se[0] - nw[0], height: se[1] - nw[1] } };
      }
    };
  }

  // The tiles covering what the chart shows, at the zoom level whose tiles come closest to 256 px.
  function cover(chart, tiles) {
    var w = chart.getWidth(), h = chart.getHeight();
    var nw = global.CasegridMap.toLonLat(chart, [0, 0]), se = global.CasegridMap.toLonLat(chart, [w, h]);
    if (!nw || !se || !(se[0] > nw[0])) return [];
    var z = Math.round(Math.log(360 * w / (256 * (se[0] - nw[0]))) / Math.LN2);
    for (z = Math.max(0, Math.min(tiles.maxZoom, z)); z >= 0; z--) {
      var last = Math.pow(2, z) - 1;
      var x0 = Math.max(0, Math.floor(tileX(nw[0], z))), x1 = Math.min(last, Math.floor(tileX(se[0], z)));
      var y0 = Math.max(0, Math.floor(tileY(nw[1], z))), y1 = Math.min(last, Math.floor(tileY(se[1], z)));
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > MAX_TILES) continue;
      var data = [];
      for (var x = x0; x <= x1; x++) {
        for (var y = y0; y <= y1; y++) {
          data.push([lonOf(x + 0.5, z), latOf(y + 0.5, z), x, y, z]);
        }
      }
      return data;
    }
    return [];
  }

  // Keeps the tiles in step with the view: after a pan or zoom, and when the window changes size.
  function attach(chart, tiles) {
    var pending = null;
    function refresh() {
      pending = null;
      chart.setOption({ series: [{ id: SERIES_ID, data: cover(chart, tiles) }] });
    }
    function soon() { if (!pending) pending = global.setTimeout(refresh, 80); }
    chart.on("georoam", soon);
    global.addEventListener("resize", soon);
    chart.cgTiles = refresh;
    refresh();
  }

  global.CasegridTiles = { series: series, attach: attach };
})(window);
