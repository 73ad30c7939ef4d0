// The quote builder's keyboard and small conveniences; htmx does the requests.
//   /            search the catalog
//   Alt+↑ Alt+↓  move the line being edited up or down (with its options)
//   Enter        in a catalog quantity: add the ticked products (typing a quantity ticks it)
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("input, textarea, select");
  if (event.key === "/" && !typing) {
    const search = document.querySelector("#catalog-filter input[name=q]");
    if (search) {
      event.preventDefault();
      search.focus();
    }
    return;
  }
  if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    const row = event.target.closest("tr[id^='line-']");
    const direction = event.key === "ArrowUp" ? "up" : "down";
    const button = row && row.querySelector(`button[aria-label$=' ${direction}']`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  }
});
document.addEventListener("input", (event) => {
  const quantity = event.target.closest("#catalog-rows input[name^='qty-']");
  if (!quantity) return;
  const box = quantity.closest("tr").querySelector("input[name=pick]");
  if (box) box.checked = Number(quantity.value) > 0;
});
// A section's heading folds its lines away (on this page) and back.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-collapse]");
  if (!toggle) return;
  const open = toggle.getAttribute("aria-expanded") !== "false";
  toggle.setAttribute("aria-expanded", String(!open));
  toggle.textContent = open ? "▸" : "▾";
  let row = toggle.closest("tr").nextElementSibling;
  while (row && !row.classList.contains("section-head")) {
    row.hidden = open;
    row = row.nextElementSibling;
  }
});
