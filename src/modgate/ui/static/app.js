// Small progressive enhancements (no inline scripts: the pages' CSP forbids them).
document.addEventListener("click", function (e) {
  var open = e.target.closest("[data-open-dialog]");
  if (open) { document.getElementById(open.dataset.openDialog).showModal(); return; }
  var close = e.target.closest("[data-close-dialog]");
  if (close) { close.closest("dialog").close(); }
});
