/* akrim: the planning form's enhancements (inspections/forms.py InspectionPlanForm).
 * Without this script the form still works: employers are typed by name or number and the
 * municipality list is grouped by county.
 *
 * 1. The municipality select shows only the chosen county's municipalities.
 * 2. Employer inputs search akrim's employers as one types (a combobox with a listbox, the
 *    ARIA pattern: arrows move, Enter picks, Escape closes); a pick fills "Name (orgnr)",
 *    which the server reads.
 */
(function () {
  "use strict";

  function filterMunicipalities(county, municipality) {
    if (!municipality.dataset.allOptions) {
      municipality.dataset.allOptions = "1";
      municipality._groups = Array.from(municipality.querySelectorAll("optgroup")).map(
        function (group) {
          return { label: group.label, options: Array.from(group.children) };
        }
      );
    }
    const chosen = county.options[county.selectedIndex];
    const label = chosen && chosen.value ? chosen.textContent.trim() : "";
    const current = municipality.value;
    Array.from(municipality.querySelectorAll("optgroup")).forEach(function (group) {
      group.remove();
    });
    municipality._groups.forEach(function (group) {
      if (label && group.label !== label) return;
      const element = document.createElement("optgroup");
      element.label = group.label;
      group.options.forEach(function (option) {
        element.appendChild(option);
      });
      municipality.appendChild(element);
    });
    if (!Array.from(municipality.options).some(function (o) { return o.value === current; })) {
      municipality.value = "";
    } else {
      municipality.value = current;
    }
  }

  function setUpSearch(form, input, index) {
    const url = form.dataset.employerSearch;
    const list = document.createElement("ul");
    const status = document.createElement("p");
    const listId = input.id + "_options";
    list.id = listId;
    list.className = "search-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent.replace("*", "").trim() : "");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(n) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === n ? "true" : "false");
      });
      active = n;
      if (n >= 0 && items[n]) {
        input.setAttribute("aria-activedescendant", items[n].id);
        items[n].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(n) {
      if (!results[n]) return;
      input.value = results[n].label;
      close();
      status.textContent = input.value;
    }

    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (employer, i) {
        const item = document.createElement("li");
        item.id = listId + "_" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.textContent = employer.name;
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = " " + employer.formatted_orgnr + (employer.city ? " · " + employer.city : "");
        item.appendChild(name);
        item.appendChild(meta);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(i);
        });
        list.appendChild(item);
      });
      const open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      status.textContent = open
        ? (form.dataset.foundText || "%s").replace("%s", String(found.length))
        : form.dataset.noneText || "";
    }

    function search() {
      const text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      const ticket = ++asked;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket === asked && document.activeElement === input) show(data.results || []);
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) search();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (active >= 0) {
          event.preventDefault();
          pick(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("form[data-employer-search]");
    if (!form) return;
    const county = form.querySelector("select[name=county]");
    const municipality = form.querySelector("select[name=municipality]");
    if (county && municipality) {
      filterMunicipalities(county, municipality);
      county.addEventListener("change", function () {
        filterMunicipalities(county, municipality);
      });
    }
    form.querySelectorAll("input.employer-search").forEach(function (input, index) {
      setUpSearch(form, input, index);
    });
  });
})();
