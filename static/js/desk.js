// Agent desk. Without this file every row is ticked by hand; with it, one box ticks them all.
// Delegated from the document, so it keeps working after htmx swaps the list.

function revealSelectAll() {
  document.querySelectorAll("[data-select-all]").forEach((box) => { box.hidden = false; });
}

document.addEventListener("change", (event) => {
  if (!event.target.matches("[data-select-all]")) return;
  event.target.form.querySelectorAll("input[name=tickets]").forEach((box) => {
    box.checked = event.target.checked;
  });
});

document.addEventListener("DOMContentLoaded", revealSelectAll);
document.addEventListener("htmx:afterSwap", revealSelectAll);
