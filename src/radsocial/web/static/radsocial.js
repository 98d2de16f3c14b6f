/* radsocial: draws every table that carries a chart hint, with Plotly (served locally).
 *
 * A page holds, per charted table, <script type="application/json" id="data-ID"> with
 * {name, title, columns, rows, chart} and an empty <div class="rs-chart" data-for="ID">.
 * Chart kinds: line, bar, stacked_bar, heatmap, pie, network (see analytics/result.py).
 * The same file runs in the app and inlined in self-contained HTML reports; it never
 * builds HTML from data (textContent only), so post text cannot become markup.
 */
(function () {
  "use strict";

  var PALETTE = [
    "#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#dc2626",
    "#65a30d", "#9333ea", "#0d9488", "#ea580c", "#4f46e5", "#be123c", "#15803d",
    "#b45309", "#1d4ed8", "#a21caf", "#047857", "#c2410c", "#475569"
  ];
  var colourOf = {};
  function colour(key) {
    if (!(key in colourOf)) {
      colourOf[key] = PALETTE[Object.keys(colourOf).length % PALETTE.length];
    }
    return colourOf[key];
  }

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  /* Plotly reads a little HTML in labels (<b>, <a href>): text from posts and profiles
     is entity-escaped so that it is shown as written, never as markup or a link. */
  function esc(v) {
    return typeof v === "string"
      ? v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      : v;
  }
  function escAll(values) { return values.map(esc); }

  function asList(v) {
    if (v === undefined || v === null) { return []; }
    return Array.isArray(v) ? v : [v];
  }

  function column(table, name) {
    var i = table.columns.indexOf(name);
    if (i < 0) { return null; }
    return table.rows.map(function (r) { return r[i]; });
  }

  function groups(table, seriesCols) {
    /* Row indexes grouped by the values of the series columns (long format). */
    var out = {}, order = [];
    var idx = seriesCols.map(function (c) { return table.columns.indexOf(c); });
    table.rows.forEach(function (r, i) {
      var key = idx.map(function (j) { return j < 0 ? "" : String(r[j]); }).join(" · ");
      if (!(key in out)) { out[key] = []; order.push(key); }
      out[key].push(i);
    });
    return order.map(function (k) { return [k, out[k]]; });
  }

  function baseLayout(table, extra) {
    var layout = {
      margin: { l: 56, r: 16, t: 8, b: 48 },
      height: 320,
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1f2937" },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      legend: { orientation: "h", y: -0.2 },
      xaxis: { gridcolor: "#eef0f3", automargin: true },
      yaxis: { gridcolor: "#eef0f3", automargin: true, rangemode: "tozero" },
      hoverlabel: { namelength: -1 }
    };
    Object.keys(extra || {}).forEach(function (k) { layout[k] = extra[k]; });
    return layout;
  }

  function xyTraces(table, chart, type) {
    var ys = asList(chart.y);
    var x = column(table, chart.x);
    var series = asList(chart.series);
    var traces = [];
    if (x === null) { throw new Error("no column " + chart.x); }
    var sets = series.length ? groups(table, series) : [["", table.rows.map(function (_, i) { return i; })]];
    sets.forEach(function (g) {
      ys.forEach(function (yc) {
        var y = column(table, yc);
        if (y === null) { return; }
        var name = g[0] ? (ys.length > 1 ? g[0] + " — " + yc : g[0]) : yc;
        var t = {
          x: g[1].map(function (i) { return esc(x[i]); }),
          y: g[1].map(function (i) { return esc(y[i]); }),
          name: esc(name),
          type: type === "line" ? "scatter" : "bar",
          marker: { color: colour(name) }
        };
        if (type === "line") {
          t.mode = t.x.length > 60 ? "lines" : "lines+markers";
          t.line = { width: 2, color: colour(name) };
        }
        traces.push(t);
      });
    });
    return traces;
  }

  function longLabels(values) {
    var n = 0;
    values.forEach(function (v) { n = Math.max(n, String(v).length); });
    return n > 14 || values.length > 14;
  }

  function marks(chart) {
    if (!chart.marks || !chart.marks.from) { return {}; }
    return {
      shapes: [{
        type: "rect", xref: "x", yref: "paper", x0: chart.marks.from, x1: chart.marks.to,
        y0: 0, y1: 1, fillcolor: "rgba(37,99,235,0.08)", line: { width: 0 }, layer: "below"
      }],
      annotations: [{
        x: chart.marks.from, y: 1, xref: "x", yref: "paper", text: chart.marks.label || "meeting",
        showarrow: false, xanchor: "left", yanchor: "top", font: { size: 11, color: "#2563eb" }
      }]
    };
  }

  function isYears(values) {
    /* 2017, "2018": categories, or Plotly draws ticks at 2017.2, 2017.4… */
    return values.length > 0 && values.every(function (v) { return /^\d{4}$/.test(String(v)); });
  }

  function lineChart(table, chart) {
    var traces = xyTraces(table, chart, "line");
    var layout = baseLayout(table, Object.assign({ hovermode: "x unified" }, marks(chart)));
    if (isYears(column(table, chart.x) || [])) { layout.xaxis.type = "category"; }
    return [traces, layout];
  }

  function barChart(table, chart, stacked) {
    var traces = xyTraces(table, chart, "bar");
    var x = column(table, chart.x) || [];
    var horizontal = chart.orientation === "h" || (!stacked && longLabels(x) && !isTime(x));
    var layout = baseLayout(table, { barmode: stacked ? "stack" : "group" });
    if (traces.length === 1) { layout.showlegend = false; }
    if (horizontal) {
      traces.forEach(function (t) { var tmp = t.x; t.x = t.y; t.y = tmp.map(String); t.orientation = "h"; });
      layout.yaxis = { autorange: "reversed", automargin: true, type: "category" };
      layout.xaxis = { gridcolor: "#eef0f3", rangemode: "tozero" };
      layout.height = Math.max(260, 22 * x.length + 80);
      layout.margin = { l: 8, r: 16, t: 8, b: 40 };
    } else if (!isTime(x)) {
      layout.xaxis.type = "category";
    }
    return [traces, layout];
  }

  function isTime(values) {
    return values.length > 0 && values.every(function (v) {
      return typeof v === "string" && /^\d{4}-\d{2}(-\d{2})?([T ]\d{2}:\d{2})?/.test(v);
    });
  }

  function heatmap(table, chart) {
    var x = column(table, chart.x), y = column(table, chart.y), z = column(table, chart.z);
    if (!x || !y || !z) { throw new Error("heatmap needs x, y and z columns"); }
    var xs = uniq(x).sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
    var ys = uniq(y);
    var grid = ys.map(function () { return xs.map(function () { return 0; }); });
    for (var i = 0; i < x.length; i++) {
      grid[ys.indexOf(y[i])][xs.indexOf(x[i])] = z[i];
    }
    var trace = {
      type: "heatmap", x: escAll(xs.map(String)), y: escAll(ys.map(String)), z: grid,
      colorscale: [[0, "#f8fafc"], [0.2, "#bfdbfe"], [0.6, "#3b82f6"], [1, "#1e3a8a"]],
      hovertemplate: esc(chart.y) + " %{y}<br>" + esc(chart.x) + " %{x}<br>" + esc(chart.z) + " %{z}<extra></extra>"
    };
    var layout = baseLayout(table, { height: Math.max(260, 26 * ys.length + 90) });
    layout.xaxis = { type: "category", automargin: true };
    layout.yaxis = { type: "category", automargin: true, autorange: "reversed" };
    return [[trace], layout];
  }

  function uniq(values) {
    var seen = {}, out = [];
    values.forEach(function (v) { var k = String(v); if (!(k in seen)) { seen[k] = 1; out.push(v); } });
    return out;
  }

  function pie(table, chart) {
    var labels = column(table, chart.names || chart.labels || chart.x);
    var values = column(table, asList(chart.values || chart.y)[0]);
    if (!labels || !values) { throw new Error("pie needs label and value columns"); }
    var trace = {
      type: "pie", labels: escAll(labels.map(String)), values: values, hole: 0.45, sort: false,
      marker: { colors: labels.map(function (l) { return colour(String(l)); }) },
      textinfo: "label+percent"
    };
    var layout = baseLayout(table, { height: 300, showlegend: false });
    return [[trace], layout];
  }

  /* ------------------------------------------------------------------ network */

  function network(table, chart, refs, interactive, colourBy) {
    /* The hint sits on the nodes table and names the edges table (analytics/influence),
       or on an edges table (source, target, weight) with an optional nodes table. */
    var nodesT = chart.nodes && chart.nodes !== table.name ? refs[chart.nodes] : null;
    var edgesT = chart.edges && chart.edges !== table.name ? refs[chart.edges] : null;
    if (!nodesT && table.columns.indexOf(chart.source || "source") < 0) { nodesT = table; }
    if (!edgesT && table !== nodesT) { edgesT = table; }
    if (!edgesT) { throw new Error("no edges table"); }
    var src = column(edgesT, chart.source || "source");
    var dst = column(edgesT, chart.target || "target");
    var w = column(edgesT, chart.weight || "weight");
    if (!src || !dst) { throw new Error("network needs source and target columns"); }
    var nodes = {}, order = [];
    function node(id) {
      id = String(id);
      if (!(id in nodes)) { nodes[id] = { id: id, label: id, group: "", size: 0, degree: 0 }; order.push(id); }
      return nodes[id];
    }
    var groupCol = null;
    if (nodesT) {
      var idc = chart.id || pick(nodesT.columns, ["id", "node", "account", "handle"]);
      var lc = chart.label || pick(nodesT.columns, ["label", "handle", "name"]);
      groupCol = colourBy || chart.color || chart.group || pick(nodesT.columns, ["stakeholder", "community"]);
      var sc = chart.size || pick(nodesT.columns, ["pagerank", "score", "posts"]);
      var ids = column(nodesT, idc) || [];
      var labels = lc ? column(nodesT, lc) : null;
      var gs = groupCol ? column(nodesT, groupCol) : null;
      var ss = sc ? column(nodesT, sc) : null;
      ids.forEach(function (id, j) {
        var n = node(id);
        if (labels && labels[j] !== null) { n.label = String(labels[j]); }
        if (gs) { n.group = gs[j] === null ? "unknown" : String(gs[j]); }
        if (ss) { n.size = Number(ss[j]) || 0; }
      });
    }
    var edges = [];
    for (var i = 0; i < src.length; i++) {
      var a = node(src[i]), b = node(dst[i]);
      var wt = w ? Number(w[i]) || 1 : 1;
      a.degree += wt; b.degree += wt;
      edges.push([a.id, b.id, wt]);
    }
    /* Keep the 300 most central nodes: more make a hairball and a slow layout. */
    var keep = order.slice().sort(function (p, q) {
      return (nodes[q].size - nodes[p].size) || (nodes[q].degree - nodes[p].degree);
    }).slice(0, 300);
    var kept = {};
    keep.forEach(function (id) { kept[id] = true; });
    edges = edges.filter(function (e) { return kept[e[0]] && kept[e[1]]; });
    var pos = layout(keep, edges);
    var ex = [], ey = [];
    edges.forEach(function (e) {
      ex.push(pos[e[0]][0], pos[e[1]][0], null);
      ey.push(pos[e[0]][1], pos[e[1]][1], null);
    });
    var traces = [{
      type: "scatter", mode: "lines", x: ex, y: ey, hoverinfo: "skip", showlegend: false,
      line: { width: 0.7, color: "rgba(100,116,139,0.35)" }
    }];
    var maxSize = 0, maxDeg = 0;
    keep.forEach(function (id) { maxSize = Math.max(maxSize, nodes[id].size); maxDeg = Math.max(maxDeg, nodes[id].degree); });
    var byGroup = {};
    keep.forEach(function (id) {
      var g = nodes[id].group === "" ? "nodes" : nodes[id].group;
      (byGroup[g] = byGroup[g] || []).push(id);
    });
    var prefix = groupCol === "community" ? "community " : "";
    Object.keys(byGroup).sort().forEach(function (g) {
      var ids = byGroup[g];
      var name = prefix + g;
      traces.push({
        type: "scatter", mode: "markers+text", name: esc(name),
        x: ids.map(function (id) { return pos[id][0]; }),
        y: ids.map(function (id) { return pos[id][1]; }),
        text: ids.map(function (id) { return esc(nodes[id].label); }),
        textposition: "top center", textfont: { size: 10, color: "#475569" },
        customdata: ids.map(function (id) { return nodes[id].label; }),
        hovertemplate: "%{text}<br>" + esc(name) + "<extra></extra>",
        marker: {
          color: colour(name), line: { width: 0.5, color: "#fff" },
          size: ids.map(function (id) {
            var n = nodes[id];
            var r = maxSize > 0 ? n.size / maxSize : (maxDeg > 0 ? n.degree / maxDeg : 0.5);
            return 7 + 24 * Math.sqrt(r);
          })
        }
      });
    });
    if (keep.length > 60) { traces.forEach(function (t) { if (t.mode === "markers+text") { t.mode = "markers"; } }); }
    var lay = baseLayout(table, { height: 560, hovermode: "closest", dragmode: "pan" });
    lay.xaxis = { visible: false }; lay.yaxis = { visible: false, scaleanchor: "x" };
    lay.legend = { orientation: "v", x: 1, y: 1 };
    var target = chart.directed === false ? "/hashtag/" : "/explore?account=";
    return [traces, lay, interactive ? function (div) {
      div.on("plotly_click", function (ev) {
        var p = ev && ev.points && ev.points[0];
        if (p && p.customdata) {
          window.location.href = target + encodeURIComponent(String(p.customdata).replace(/^[@#]/, ""));
        }
      });
    } : null, nodesT];
  }

  function pick(columns, names) {
    for (var i = 0; i < names.length; i++) { if (columns.indexOf(names[i]) >= 0) { return names[i]; } }
    return null;
  }

  function layout(ids, edges) {
    /* Fruchterman–Reingold from a circle: deterministic, so a graph looks the same on
       every load and in the PDF. */
    var n = ids.length, pos = {}, i, it;
    ids.forEach(function (id, j) {
      var a = 2 * Math.PI * j / Math.max(n, 1);
      pos[id] = [Math.cos(a), Math.sin(a)];
    });
    if (n < 2) { return pos; }
    var k = Math.sqrt(4 / n), t = 0.1, iters = n > 200 ? 120 : 200;
    for (it = 0; it < iters; it++) {
      var disp = {};
      ids.forEach(function (id) { disp[id] = [0, 0]; });
      for (i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = pos[ids[i]], b = pos[ids[j]];
          var dx = a[0] - b[0], dy = a[1] - b[1];
          var d2 = dx * dx + dy * dy + 1e-9, f = k * k / d2;
          disp[ids[i]][0] += dx * f; disp[ids[i]][1] += dy * f;
          disp[ids[j]][0] -= dx * f; disp[ids[j]][1] -= dy * f;
        }
      }
      edges.forEach(function (e) {
        var a = pos[e[0]], b = pos[e[1]];
        var dx = a[0] - b[0], dy = a[1] - b[1];
        var d = Math.sqrt(dx * dx + dy * dy) + 1e-9, f = d / k * Math.min(1 + Math.log(1 + e[2]), 3);
        disp[e[0]][0] -= dx / d * f * d; disp[e[0]][1] -= dy / d * f * d;
        disp[e[1]][0] += dx / d * f * d; disp[e[1]][1] += dy / d * f * d;
      });
      ids.forEach(function (id) {
        var dv = disp[id], len = Math.sqrt(dv[0] * dv[0] + dv[1] * dv[1]) + 1e-9;
        var step = Math.min(len, t);
        pos[id][0] += dv[0] / len * step; pos[id][1] += dv[1] / len * step;
        /* gentle pull to the centre keeps disconnected parts on screen */
        pos[id][0] *= 0.995; pos[id][1] *= 0.995;
      });
      t *= 0.98;
    }
    return pos;
  }

  /* ------------------------------------------------------------------ drawing */

  var BUILDERS = {
    line: lineChart,
    bar: function (t, c) { return barChart(t, c, false); },
    stacked_bar: function (t, c) { return barChart(t, c, true); },
    heatmap: heatmap,
    pie: pie
  };

  function say(div, text, state) {
    div.textContent = text;
    div.className += " rs-chart-message";
    div.setAttribute("data-state", state);
  }

  function nothingToDraw(traces) {
    return traces.every(function (t) {
      var vals = t.type === "pie" ? t.values : t.type === "heatmap" ? [].concat.apply([], t.z)
        : (t.orientation === "h" ? t.x : t.y);
      if (t.mode === "lines" && t.hoverinfo === "skip") { return true; }
      return !vals || vals.every(function (v) { return v === null || v === 0 || v === undefined; });
    });
  }

  function colourSwitch(div, nodesT, chart) {
    /* "Colour by stakeholder | community": the issue asks for stakeholder colours, the
       analysis hints communities; offer both, stakeholder first when there is one. */
    var options = ["stakeholder", "community"].filter(function (c) { return nodesT.columns.indexOf(c) >= 0; });
    div.setAttribute("data-switch", "1");
    if (options.length < 2) { return; }
    if (!div.getAttribute("data-colour-by")) { div.setAttribute("data-colour-by", options[0]); }
    var bar = document.createElement("div");
    bar.className = "rs-switch";
    bar.appendChild(document.createTextNode("Colour by "));
    options.forEach(function (opt) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = opt;
      b.setAttribute("aria-pressed", String(div.getAttribute("data-colour-by") === opt));
      b.addEventListener("click", function () {
        div.setAttribute("data-colour-by", opt);
        bar.querySelectorAll("button").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
        window.Plotly.purge(div);
        draw(div);
      });
      bar.appendChild(b);
    });
    div.parentNode.insertBefore(bar, div);
  }

  function draw(div) {
    var id = div.getAttribute("data-for");
    var table = readJSON("data-" + id);
    if (!table || !table.chart) { say(div, "No chart data.", "failed"); return; }
    if (!window.Plotly) { say(div, "The chart library did not load; the data table below has the numbers.", "failed"); return; }
    var chart = table.chart, interactive = div.getAttribute("data-interactive") === "1";
    var built;
    try {
      if (chart.kind === "network") {
        var refs = {};
        [chart.nodes, chart.edges].forEach(function (name) {
          if (name) { refs[name] = readJSON("ref-" + id + "-" + name); }
        });
        var nodesT = chart.nodes && chart.nodes !== table.name ? refs[chart.nodes] : table;
        if (!div.getAttribute("data-colour-by") && nodesT && nodesT.columns.indexOf("stakeholder") >= 0) {
          div.setAttribute("data-colour-by", "stakeholder");
        }
        built = network(table, chart, refs, interactive, div.getAttribute("data-colour-by"));
        if (!div.getAttribute("data-switch")) { colourSwitch(div, built[3] || table, chart); }
      } else if (BUILDERS[chart.kind]) {
        built = BUILDERS[chart.kind](table, chart);
      } else {
        say(div, "Unknown chart kind: " + chart.kind, "failed");
        return;
      }
    } catch (e) {
      say(div, "This chart could not be drawn (" + e.message + "); the data table has the numbers.", "failed");
      return;
    }
    if (nothingToDraw(built[0])) {
      say(div, "Nothing to draw: every value is zero or missing (the table below has the rows).", "empty");
      return;
    }
    var config = {
      responsive: true, displaylogo: false,
      modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
      toImageButtonOptions: { filename: "radsocial-" + (table.name || "chart"), scale: 2 }
    };
    window.Plotly.newPlot(div, built[0], built[1], config).then(function () {
      div.setAttribute("data-state", "drawn");
      if (built[2]) { built[2](div); }
    }, function (err) {
      say(div, "This chart could not be drawn: " + (err && err.message), "failed");
    });
  }

  /* ------------------------------------------------------------------ tables, CSV */

  function sortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        if (!body) { return; }
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
          if (x === y) { return 0; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          return (x < y ? -1 : 1) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function cellValue(td) {
    if (!td) { return null; }
    var v = td.getAttribute("data-v");
    if (v !== null && v !== "" && !isNaN(Number(v))) { return Number(v); }
    var text = td.textContent.trim();
    if (text === "" || text === "—") { return null; }
    var num = Number(text.replace(/,/g, ""));
    return isNaN(num) ? text.toLowerCase() : num;
  }

  function csvCell(v) {
    if (v === null || v === undefined) { return ""; }
    if (Array.isArray(v)) { v = v.join(" "); }
    var s = String(v);
    /* A cell starting with = + - @ would run as a formula in a spreadsheet. */
    if (/^[=+\-@\t\r]/.test(s) && isNaN(Number(s))) { s = "'" + s; }
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function inlineCsv(link) {
    link.addEventListener("click", function (ev) {
      ev.preventDefault();
      var id = link.getAttribute("data-inline-csv");
      var t = readJSON("data-" + id);
      if (!t) { return; }
      var lines = [t.columns.map(csvCell).join(",")];
      t.rows.forEach(function (r) { lines.push(r.map(csvCell).join(",")); });
      var blob = new Blob(["\ufeff" + lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "radsocial-" + (t.name || "table") + ".csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  /* ------------------------------------------------------------------ lazy sections */

  function fetchSection(el) {
    /* The server rendered (and escaped) the fragment; it replaces the placeholder. */
    return fetch(el.getAttribute("data-src"), {
      credentials: "same-origin", headers: { accept: "text/html" }
    }).then(function (resp) {
      return resp.text();
    }).then(function (html) {
      var tpl = document.createElement("template");
      tpl.innerHTML = html.trim();
      var node = tpl.content.firstElementChild;
      if (!node) { throw new Error("empty answer"); }
      el.replaceWith(node);
      node.querySelectorAll(".rs-chart[data-for]").forEach(draw);
      node.querySelectorAll("table.rs-sortable").forEach(sortable);
    }).catch(function (err) {
      el.classList.remove("rs-lazy");
      var p = el.querySelector(".rs-computing");
      if (p) { p.textContent = "This section could not be loaded (" + err.message + "); reload the page to try again."; }
    });
  }

  function loadLazy() {
    /* Two at a time: each is an analysis, and the server has few cores. */
    var queue = Array.prototype.slice.call(document.querySelectorAll(".rs-lazy[data-src]"));
    var active = 0;
    function finished() { document.documentElement.setAttribute("data-rs-complete", "1"); }
    if (!queue.length) { finished(); return; }
    function next() {
      while (active < 2 && queue.length) {
        active += 1;
        fetchSection(queue.shift()).then(function () {
          active -= 1;
          if (!queue.length && active === 0) { finished(); } else { next(); }
        });
      }
    }
    next();
  }

  function start() {
    document.querySelectorAll(".rs-chart[data-for]").forEach(draw);
    document.querySelectorAll("table.rs-sortable").forEach(sortable);
    document.querySelectorAll("a[data-inline-csv]").forEach(inlineCsv);
    document.documentElement.setAttribute("data-rs-ready", "1");
    loadLazy();
  }

  window.radsocial = { draw: draw, start: start };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
