// Keeps the queue and the transcript current without a reload: every few seconds it fetches
// the element's data-refresh fragment (same origin, with the session cookie) and swaps it in.
// The server escapes everything in those fragments. New people waiting show in the title.
(function () {
  "use strict";
  var EVERY = 2000; // ms
  var target = document.querySelector("[data-refresh]");
  if (!target) return;
  var waiting = document.getElementById("waiting");
  var baseTitle = document.title;
  var last = null; // the last fragment fetched: swapped in only when it changes

  function announce(count) {
    if (!waiting) return;
    var before = Number(waiting.dataset.waiting || 0);
    waiting.dataset.waiting = String(count);
    waiting.textContent = count + " waiting." + (count > before ? " Someone new is waiting." : "");
    document.title = (count ? "(" + count + ") " : "") + baseTitle;
  }

  function refresh() {
    fetch(target.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (reply) {
        if (reply.redirected || reply.status === 401) { window.location.reload(); return null; }
        if (!reply.ok) return null;
        var count = reply.headers.get("X-Waiting");
        return reply.text().then(function (html) {
          if (html !== last) target.innerHTML = html;
          last = html;
          if (count !== null) announce(Number(count));
        });
      })
      .catch(function () { /* the server is restarting: try again next time */ })
      .finally(function () { setTimeout(refresh, EVERY); });
  }
  announce(Number((waiting && waiting.dataset.waiting) || 0));
  setTimeout(refresh, EVERY);
})();
