// Draws the newsletter analytics charts from the JSON the admin page embeds (no inline script: strict CSP).
(function () {
  "use strict";
  var source = document.getElementById("nl-series");
  if (!source || typeof Chart === "undefined") return;
  var series = JSON.parse(source.textContent);
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { beginAtZero: false } },
  };
  new Chart(document.getElementById("nl-chart-confirmed"), {
    type: "line",
    data: {
      labels: series.days,
      datasets: [{ label: "Confirmed", data: series.confirmed, borderColor: "#0b5d7a", backgroundColor: "#0b5d7a", pointRadius: 0 }],
    },
    options: common,
  });
  new Chart(document.getElementById("nl-chart-flow"), {
    type: "bar",
    data: {
      labels: series.days,
      datasets: [
        { label: "Signups", data: series.signups, backgroundColor: "#2e7d32" },
        { label: "Unsubscribes", data: series.unsubscribes, backgroundColor: "#a36a00" },
      ],
    },
    options: Object.assign({}, common, { scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { beginAtZero: true } } }),
  });
  document.documentElement.setAttribute("data-charts-ready", "1");
})();
