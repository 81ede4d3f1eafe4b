// Small behaviours shared by every page; no build step.
(function () {
  // A checkbox with data-toggles="id" shows the element with that id only while it is ticked.
  function syncToggle(box) {
    var target = document.getElementById(box.dataset.toggles);
    if (target) { target.hidden = !box.checked; }
  }
  document.querySelectorAll("input[data-toggles]").forEach(function (box) {
    syncToggle(box);
    box.addEventListener("change", function () { syncToggle(box); });
  });
  // Buttons with data-copy="id" copy that element's text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.innerHTML = '<i class="bi bi-check2"></i>';
    }
  });
})();
