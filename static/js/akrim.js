/* akrim: behaviour every page shares. Loaded with `defer`; the pages work without it.
 *
 * Forms that come back with errors focus their error summary.
 * A list's table wider than its frame is drawn as cards.
 * Logging out removes this browser's unsaved result drafts (results-draft.js keeps them in
 * localStorage under "akrim:draft:"), so the next person on a shared tablet never sees them.
 */
(function () {
  "use strict";
  /* A form that comes back with errors moves focus to its summary at the top, so a person on
   * a phone or with a screen reader starts at the list of what to fix (each item a link). */
  document.addEventListener("DOMContentLoaded", function () {
    const summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
  });
  /* A link in the summary puts the focus in its field (following "#id" alone only scrolls),
   * so the person can type the correction at once. */
  document.addEventListener("click", function (event) {
    const link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    const field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
  /* A list's table wider than its frame (a phone, a tablet in portrait, long agency names)
   * would hide its last columns behind a sideways scroll few people notice on a touch screen:
   * it gets the class "as-cards" and is drawn one card per row (akrim.css). Measured again
   * when the window changes size (a tablet turned) and once the fonts are in. */
  function fitTables() {
    document.querySelectorAll(".table-wrap > table.list-table").forEach(function (table) {
      table.classList.remove("as-cards");
      const frame = table.parentElement;
      if (frame.scrollWidth > frame.clientWidth + 1) table.classList.add("as-cards");
    });
  }
  fitTables(); /* deferred: the document is parsed by now */
  let fitting = false;
  window.addEventListener("resize", function () {
    if (fitting) return;
    fitting = true;
    window.requestAnimationFrame(function () {
      fitting = false;
      fitTables();
    });
  });
  if (document.fonts) document.fonts.ready.then(fitTables);
  document.addEventListener("submit", function (event) {
    if (!event.target.matches("form[data-logout]")) return;
    try {
      for (let i = window.localStorage.length - 1; i >= 0; i--) {
        const key = window.localStorage.key(i);
        if (key && key.indexOf("akrim:draft:") === 0) window.localStorage.removeItem(key);
      }
    } catch (error) {
      /* storage disabled: nothing was saved either */
    }
  });
})();
