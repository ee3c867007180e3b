// Charts drawn with the locally served ECharts; data comes from data-* attributes
// (no inline script, per the Content-Security-Policy).
"use strict";
(function () {
  var el = document.getElementById("radar");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.getAttribute("data-radar"));
  var chart = window.echarts.init(el);
  // A dimension's full name (服务策划与执行) on a phone: wrapped onto lines of a
  // few characters (words in English), a smaller radius and font when narrow.
  function wrap(name, width) {
    if (!/[\u3400-\u9fff]/.test(name)) {
      var lines = [], line = "";
      name.split(/\s+/).forEach(function (word) {
        if (line && (line + " " + word).length > width * 2) { lines.push(line); line = word; }
        else { line = line ? line + " " + word : word; }
      });
      if (line) { lines.push(line); }
      return lines.join("\n");
    }
    // balanced lines: 服务策划/与执行, 骨干/领导力 rather than a lone last character
    var per = Math.ceil(name.length / Math.ceil(name.length / width));
    var parts = [];
    for (var i = 0; i < name.length; i += per) { parts.push(name.slice(i, i + per)); }
    return parts.join("\n");
  }
  function draw() {
    var narrow = el.clientWidth < 480;
    chart.setOption({
      animation: false,
      tooltip: {},
      legend: { bottom: 0, data: data.series.map(function (s) { return s.name; }) },
      radar: {
        indicator: data.indicators,
        radius: narrow ? "50%" : "60%",
        axisName: {
          fontSize: narrow ? 11 : 12,
          formatter: function (name) { return narrow ? wrap(name, 4) : name; }
        }
      },
      series: [{ type: "radar", data: data.series }]
    });
  }
  draw();
  el.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () { chart.resize(); draw(); });
})();

// Generic charts: an element with data-chart='{"type": "bar"|"line"|"funnel"|"pie",
// "labels": [...], "series": [{"name": "...", "data": [...], "axis": 0|1}]}'. A
// series on axis 1 is measured on a second y-axis at the right, named after it.
// Each chart has a table beside it on the page for people who prefer numbers.
(function () {
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.getAttribute("data-chart"));
    var chart = window.echarts.init(el);
    var option = { animation: false, tooltip: { trigger: "item" } };
    if (spec.type === "funnel" || spec.type === "pie") {
      option.series = [{
        type: spec.type,
        data: spec.labels.map(function (label, i) {
          return { name: label, value: spec.series[0].data[i] };
        }),
        sort: spec.type === "funnel" ? "none" : undefined,
        label: { show: true, formatter: "{b}: {c}" }
      }];
    } else {
      option.tooltip = { trigger: "axis" };
      option.legend = { bottom: 0 };
      var twoAxes = spec.series.some(function (s) { return s.axis === 1; });
      option.grid = { left: 48, right: twoAxes ? 56 : 16, top: twoAxes ? 32 : 16, bottom: 56 };
      option.xAxis = { type: "category", data: spec.labels, axisLabel: { rotate: 30 } };
      if (twoAxes) {
        option.yAxis = [0, 1].map(function (axis) {
          var named = spec.series.filter(function (s) { return (s.axis || 0) === axis; });
          return {
            type: "value",
            name: named.length ? named[0].name : "",
            position: axis ? "right" : "left",
            minInterval: 1,
            splitLine: { show: axis === 0 }
          };
        });
      } else {
        option.yAxis = { type: "value", minInterval: 1 };
      }
      option.series = spec.series.map(function (s) {
        return { name: s.name, type: spec.type, data: s.data, yAxisIndex: twoAxes ? (s.axis || 0) : 0 };
      });
    }
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
