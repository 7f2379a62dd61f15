/* Progressive enhancements of the portal pages; every page works without this file. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "ru";
  var words = {
    ru: { left: "Осталось символов: ", over: "Слишком длинно, уберите символов: ", short: "Нужно ещё символов: " },
    en: { left: "Characters left: ", over: "Too long, remove characters: ", short: "Characters still needed: " }
  }[lang === "en" ? "en" : "ru"];

  function describe(length, min, max) {
    if (length > max) return { text: words.over + (length - max), over: true };
    if (length < min) return { text: words.short + (min - length), over: false };
    return { text: words.left + (max - length), over: false };
  }

  function attachCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) return;
    var min = parseInt(field.getAttribute("data-min-length"), 10) || 0;
    var max = parseInt(field.getAttribute("data-max-length"), 10) || Infinity;
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    var timer = null;
    // Screen readers hear the count in a live region after a pause in typing, not on every key.
    var announcer = document.createElement("span");
    announcer.className = "visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    counter.parentNode.insertBefore(announcer, counter.nextSibling);
    counter.removeAttribute("aria-live");
    function update() {
      var state = describe(field.value.trim().length, min, max);
      counter.textContent = state.text;
      counter.classList.toggle("is-over", state.over);
    }
    counter.hidden = false;
    if (described.indexOf(counter.id) === -1) {
      described.push(counter.id);
      field.setAttribute("aria-describedby", described.join(" "));
    }
    field.addEventListener("input", function () {
      update();
      clearTimeout(timer);
      timer = setTimeout(function () { announcer.textContent = counter.textContent; }, 1500);
    });
    update();
  }

  document.querySelectorAll("[data-counter-for]").forEach(attachCounter);
})();
