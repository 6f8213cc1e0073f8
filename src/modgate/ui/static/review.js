// Keyboard-only review: v / n decide and take the next task, 1-9 toggle criteria, r reveals,
// u undoes the last decision, / focuses the note (Escape leaves it), Enter starts reviewing.
(function () {
  function submit(id, label) {
    var form = document.getElementById(id);
    if (!form) return false;
    if (label) form.querySelector("input[name=label]").value = label;
    form.submit();
    return true;
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("#decide button[data-label]");
    if (button) document.querySelector("#decide input[name=label]").value = button.dataset.label;
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var typing = e.target.matches("textarea, input[type=text], input:not([type])");
    if (typing) { if (e.key === "Escape") e.target.blur(); return; }
    var done = false;
    if (e.key === "v") done = submit("decide", "violating");
    else if (e.key === "n") done = submit("decide", "non_violating");
    else if (e.key === "u") done = submit("undo");
    else if (e.key === "r") done = submit("reveal");
    else if (e.key === "/") { var note = document.getElementById("note"); if (note) { note.focus(); done = true; } }
    else if (e.key === "Enter" && document.getElementById("start")) done = submit("start");
    else if (/^[1-9]$/.test(e.key)) {
      var box = document.querySelector('#decide input[data-key="' + e.key + '"]');
      if (box) { box.checked = !box.checked; done = true; }
    }
    if (done) e.preventDefault();
  });
})();
