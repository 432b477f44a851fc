/* akrim: follow a Lägesbild build. Polls the build's API row (the ReportBuild row is the
 * only truth about a build) and moves the progress bar; reloads the page when the build is
 * ready or has failed, so the server renders the result. Without JavaScript the page still
 * shows the progress as it was when loaded. */
(function () {
  "use strict";
  const box = document.querySelector("[data-build-url]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const percent = box.querySelector(".build-percent");
  const stage = box.querySelector(".build-stage");
  function poll() {
    fetch(box.dataset.buildUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (build) {
        if (!build) return window.setTimeout(poll, 3000);
        bar.value = build.progress;
        percent.textContent = build.progress;
        if (build.stage) stage.textContent = build.stage;
        if (build.status === "ready" || build.status === "failed") {
          window.setTimeout(function () { window.location.reload(); }, 400);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
