/* Progressive enhancements of the portal pages; every page works without this file.
   Every word shown comes from the page (data-* attributes rendered in the reader's language). */
(function () {
  "use strict";

  var SAMPLES = [1, 2, 5]; // the counts the page renders each message for (includes/char_counter.html)
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "ru") : null;

  function category(count) {
    if (rules) return rules.select(count);
    return count === 1 ? "one" : "other";
  }

  // "left" -> function (count) giving the form of the message whose plural category fits the count.
  function message(counter, name) {
    var forms = {};
    SAMPLES.forEach(function (sample) {
      var text = counter.getAttribute("data-" + name + "-" + sample);
      if (text !== null && !(category(sample) in forms)) forms[category(sample)] = text;
    });
    var fallback = forms.other || forms.many || forms.one || "{n}";
    return function (count) {
      var form = forms[category(count)] || fallback;
      return form.replace("{n}", String(count));
    };
  }

  function describe(words, length, min, max) {
    if (length > max) return { text: words.over(length - max), over: true };
    if (length < min) return { text: words.short(min - length), over: false };
    return { text: words.left(max - length), over: false };
  }

  function attachCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!field) return;
    var words = { left: message(counter, "left"), short: message(counter, "short"), over: message(counter, "over") };
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
      var state = describe(words, field.value.trim().length, min, max);
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
