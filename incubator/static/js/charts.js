// Charts drawn with the locally served ECharts; data comes from data-* attributes
// (no inline script, per the Content-Security-Policy).
"use strict";
(function () {
  var el = document.getElementById("radar");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.getAttribute("data-radar"));
  var chart = window.echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: {},
    legend: { bottom: 0, data: data.series.map(function (s) { return s.name; }) },
    radar: { indicator: data.indicators, radius: "60%" },
    series: [{ type: "radar", data: data.series }]
  });
  el.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();

// Generic charts: an element with data-chart='{"type": "bar"|"line"|"funnel"|"pie",
// "labels": [...], "series": [{"name": "...", "data": [...]}]}'. Each chart has a
// table beside it on the page for people who prefer numbers.
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
      option.grid = { left: 48, right: 16, top: 16, bottom: 56 };
      option.xAxis = { type: "category", data: spec.labels, axisLabel: { rotate: 30 } };
      option.yAxis = { type: "value" };
      option.series = spec.series.map(function (s) {
        return { name: s.name, type: spec.type, data: s.data };
      });
    }
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
