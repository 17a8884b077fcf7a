/* Placeholder script of the workbench page (replaced by the page): reads
 * the token from the address once and removes it from the address bar. */
"use strict";
(function () {
  var token = new URLSearchParams(window.location.search).get("token");
  if (token !== null)
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  fetch("/api/status", { headers: { "X-Quarry-Token": token || "" } })
    .then(function (r) { return r.json(); })
    .then(function (s) {
      var p = document.createElement("p");
      p.textContent = "Project " + s.project + ": " + s.counts.excerpts + " excerpts.";
      document.getElementById("app").appendChild(p);
    });
})();
