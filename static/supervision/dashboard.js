// Refreshes the supervisor's dashboard: fetches the server-rendered fragment and swaps it in.
// Pauses while the page is hidden or while the supervisor is choosing in one of its forms.
(function () {
  "use strict";
  var box = document.getElementById("supervision-dashboard");
  if (!box || !window.fetch) { return; }
  var source = box.getAttribute("data-dashboard-src");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 30;

  function busy() {
    var active = document.activeElement;
    return document.hidden || (box.contains(active) && active.tagName === "SELECT");
  }

  function refresh() {
    if (busy()) { return; }
    fetch(source, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { box.innerHTML = html; box.removeAttribute("data-stale"); })
      .catch(function () { box.setAttribute("data-stale", "true"); });
  }

  if (!box.querySelector(".supervision")) { refresh(); }
  window.setInterval(refresh, seconds * 1000);
})();
