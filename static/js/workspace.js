/* SLA countdown ticker for the operator workspace. The server already wrote the time
   left into each <time data-deadline>; this only keeps it current, once a minute. The
   words come from data attributes of the enclosing [data-countdown], already translated. */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function describe(seconds, words) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var parts = [];
    if (days) { parts.push(fill(words.unitDays, { n: days })); }
    if (days || hours) { parts.push(fill(words.unitHours, { n: hours })); }
    parts.push(fill(words.unitMinutes, { n: minutes % 60 }));
    var span = parts.join(" ");
    return fill(seconds >= 0 ? words.left : words.overdue, { span: span });
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (table) {
      table.querySelectorAll("time[data-deadline]").forEach(function (node) {
        var due = Date.parse(node.getAttribute("data-deadline"));
        if (isNaN(due)) { return; }
        var seconds = (due - now) / 1000;
        node.textContent = describe(seconds, table.dataset);
        node.classList.toggle("sla--overdue", seconds < 0);
      });
    });
  }

  tick();
  window.setInterval(tick, 60 * 1000);
})();
