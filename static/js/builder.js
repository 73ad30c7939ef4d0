// The quote builder's keyboard and small conveniences; htmx does the requests.
//   /            search the catalog
//   Alt+↑ Alt+↓  move the line being edited up or down (with its options)
//   Enter        in a catalog quantity: add the ticked products (typing a quantity ticks it)
//   ⠿ (drag)     drag a product by its handle to a new place; its options follow
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
// Drag to reorder: a product's row (data-drag) and the option rows that follow it
// (data-follows) move together while dragging; the drop posts the page's products in their
// new order through the hidden reorder form, and the server checks it and sends the table back.
let dragged = null;
let before = "";
const blockOf = (row) => {
  const rows = [row];
  let next = row.nextElementSibling;
  while (next && next.dataset.follows === row.dataset.drag) {
    rows.push(next);
    next = next.nextElementSibling;
  }
  return rows;
};
const orderOf = (table) => [...table.querySelectorAll("tr[data-drag]")].map((r) => r.dataset.drag);
document.addEventListener("dragstart", (event) => {
  const handle = event.target.closest && event.target.closest("[data-drag-handle]");
  if (!handle) return;
  dragged = handle.closest("tr[data-drag]");
  before = orderOf(dragged.closest("table")).join(",");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", dragged.dataset.drag);
  dragged.classList.add("dragging");
});
document.addEventListener("dragover", (event) => {
  if (!dragged) return;
  const row = event.target.closest && event.target.closest("tr[data-drag], tr[data-follows]");
  if (!row || row.parentElement !== dragged.parentElement) return;
  event.preventDefault();
  const target = row.dataset.drag ? row
    : row.parentElement.querySelector(`tr[data-drag="${row.dataset.follows}"]`);
  if (!target || target === dragged) return;
  const box = target.getBoundingClientRect();
  const after = event.clientY > box.top + box.height / 2;
  const anchor = after ? blockOf(target).at(-1).nextElementSibling : target;
  blockOf(dragged).forEach((r) => target.parentElement.insertBefore(r, anchor));
});
document.addEventListener("drop", (event) => {
  if (dragged) event.preventDefault();
});
document.addEventListener("dragend", () => {
  if (!dragged) return;
  const table = dragged.closest("table");
  dragged.classList.remove("dragging");
  dragged = null;
  const order = orderOf(table);
  const form = document.getElementById(table.dataset.reorderForm);
  if (!form || order.join(",") === before) return;
  form.querySelectorAll("input[name=order]").forEach((input) => input.remove());
  order.forEach((pk) => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "order";
    input.value = pk;
    form.append(input);
  });
  form.requestSubmit();
});
