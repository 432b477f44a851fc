/* akrim: a search box above each list of industries (network/forms.py SniCodesField).
 * Without this script the list is a plain multiple select grouped by section.
 * Typing narrows the list to industries whose title or code contains the text; chosen
 * industries always stay visible, and the number shown is announced. */
(function () {
  "use strict";

  function setUp(select, n) {
    const box = document.createElement("input");
    const status = document.createElement("p");
    box.type = "search";
    box.id = select.id + "_search";
    box.className = "sni-search";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = box.id;
    label.className = "visually-hidden";
    label.textContent = select.dataset.searchLabel || "Sök bransch";
    box.placeholder = select.dataset.searchLabel || "Sök bransch";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    select.insertAdjacentElement("beforebegin", label);
    select.insertAdjacentElement("beforebegin", box);
    select.insertAdjacentElement("afterend", status);
    let timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        const text = box.value.trim().toLowerCase();
        let shown = 0;
        Array.from(select.querySelectorAll("optgroup")).forEach(function (group) {
          let any = false;
          Array.from(group.children).forEach(function (option) {
            const hit = !text || option.selected ||
              option.textContent.toLowerCase().indexOf(text) !== -1 ||
              option.value.indexOf(text) === 0 ||
              group.label.toLowerCase().indexOf(text) !== -1;
            option.hidden = !hit;
            if (hit) { any = true; shown += 1; }
          });
          group.hidden = !any;
        });
        status.textContent = text ? (select.dataset.foundText || "%s").replace("%s", shown) : "";
      }, 150);
    });
  }

  document.querySelectorAll("select.sni-codes").forEach(setUp);
})();
