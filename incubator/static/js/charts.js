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
