// Draw every Vega-Lite spec of the page (elements with class "vl" and a data-spec attribute)
// with the vendored vega-embed, as SVG, without the export menu.
(function () {
  function draw(root) {
    root.querySelectorAll(".vl[data-spec]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      vegaEmbed(el, JSON.parse(el.dataset.spec), { renderer: "svg", actions: false })
        .catch(function (err) { el.textContent = "figure failed: " + err; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
