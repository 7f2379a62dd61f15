/* Progressive enhancements of the appointment pages: the map (Leaflet, from our own static
   files), "near me" and address suggestions. Without this file the pages still work. */
(function () {
  "use strict";

  function showMap() {
    var box = document.getElementById("centres-map");
    var data = document.getElementById("centre-points");
    if (!box || !data || !window.L) return;
    var points = JSON.parse(data.textContent);
    if (!points.length) return;
    box.closest("[data-map-section]").hidden = false;
    var map = window.L.map(box, { scrollWheelZoom: false });
    window.L.tileLayer(box.getAttribute("data-tiles"), {
      maxZoom: 18,
      attribution: box.getAttribute("data-attribution")
    }).addTo(map);
    var bounds = [];
    points.forEach(function (point) {
      var marker = window.L.marker([point.lat, point.lon], { title: point.name, alt: point.name }).addTo(map);
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      var popup = document.createElement("div");
      popup.appendChild(link);
      popup.appendChild(document.createElement("br"));
      popup.appendChild(document.createTextNode(point.address));
      marker.bindPopup(popup);
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length === 1) map.setView(bounds[0], 15);
    else map.fitBounds(bounds, { padding: [24, 24] });
  }

  function nearMe() {
    var button = document.getElementById("near-me");
    var form = document.getElementById("finder-form");
    if (!button || !form || !navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
        form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
        var radius = form.querySelector("[name=radius_km]");
        if (radius && !radius.value) radius.value = "10";
        form.submit();
      }, function () {
        button.disabled = false;
      }, { timeout: 10000 });
    });
  }

  function suggestions() {
    var input = document.querySelector("input[data-suggest]");
    var list = document.getElementById(input ? input.getAttribute("list") : "");
    if (!input || !list) return;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch("/api/v1/centres/suggest/?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (body) {
            list.textContent = "";
            body.suggestions.forEach(function (text) {
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showMap();
    nearMe();
    suggestions();
  });
})();
