/* akrim: behaviour every page shares. Loaded with `defer`; the pages work without it.
 *
 * Logging out removes this browser's unsaved result drafts (results-draft.js keeps them in
 * localStorage under "akrim:draft:"), so the next person on a shared tablet never sees them.
 */
(function () {
  "use strict";
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
