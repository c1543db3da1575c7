// Draws the newsroom dashboard's charts from the JSON the page carries (no inline script: strict CSP).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.dataset.charts);
  var styles = getComputedStyle(document.documentElement);
  var ink = styles.getPropertyValue("--body-fg").trim() || "#333";
  var accent = styles.getPropertyValue("--primary").trim() || "#417690";
  window.Chart.defaults.color = ink;
  window.Chart.defaults.animation = false;

  function draw(id, type, series, label) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    var chart = new window.Chart(canvas, {
      type: type,
      data: {
        labels: series.labels,
        datasets: [{ label: label, data: series.values, backgroundColor: accent, borderColor: accent, fill: false, tension: 0.2 }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    canvas.dataset.drawn = String(series.values.reduce(function (a, b) { return a + b; }, 0));
    canvas.dataset.points = String(chart.data.datasets[0].data.length);
  }

  draw("chart-briefs-canvas", "bar", data.briefs, "Briefs published");
  draw("chart-comments-canvas", "line", data.comments, "Comments");
  draw("chart-subscribers-canvas", "line", data.subscribers, "Confirmed subscribers");
})();
