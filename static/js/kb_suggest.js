/*
 * FAQ suggestions while a citizen types (deflection).
 *
 * Enhances every textarea or input with a data-kb-suggest attribute: after a pause in
 * typing it asks the knowledge-base search API for up to three articles and lists them
 * in a polite live region, so screen readers announce them without moving focus.
 * Links open in a new tab so the text typed so far stays put. The page works the same
 * without this script; it only adds the list.
 *
 * Optional attributes on the field:
 *   data-kb-suggest-target="ID"  element to fill (default: #kb-suggestions, else one is added)
 *   data-kb-suggest-url="/api/v1/kb/search/"
 *   data-kb-suggest-category="slug"
 * The id of the search is written to a hidden input named kb_search in the field's form,
 * so the appeal or chat that follows can be tied to it.
 */
(function () {
  "use strict";

  var MIN_LENGTH = 8;
  var DELAY_MS = 450;
  var LIMIT = 3;

  function container(field) {
    var id = field.getAttribute("data-kb-suggest-target") || "kb-suggestions";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      field.insertAdjacentElement("afterend", box);
    }
    box.classList.add("kb-suggest");
    box.setAttribute("aria-live", "polite");
    return box;
  }

  function searchField(field) {
    var form = field.form;
    if (!form) {
      return null;
    }
    var input = form.querySelector("input[name='kb_search']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "kb_search";
      form.appendChild(input);
    }
    return input;
  }

  function withSearchId(url, searchId) {
    if (!searchId) {
      return url;
    }
    return url + (url.indexOf("?") === -1 ? "?" : "&") + "s=" + encodeURIComponent(searchId);
  }

  function render(box, data) {
    box.textContent = "";
    if (!data.results || data.results.length === 0) {
      return;
    }
    if (data.heading) {
      var heading = document.createElement("p");
      heading.className = "kb-suggest__heading";
      heading.textContent = data.heading;
      box.appendChild(heading);
    }
    var list = document.createElement("ul");
    list.className = "kb-suggest__list";
    data.results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = withSearchId(result.url, data.search_id);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.title;
      if (result.lang && result.lang !== document.documentElement.lang) {
        link.lang = result.lang;
      }
      item.appendChild(link);
      if (result.snippet) {
        var snippet = document.createElement("p");
        snippet.className = "kb-suggest__snippet";
        snippet.textContent = result.snippet;
        item.appendChild(snippet);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function enhance(field) {
    var box = container(field);
    var hidden = searchField(field);
    var timer = null;
    var inFlight = null;
    var lastQuery = "";

    function ask() {
      var query = field.value.trim().slice(-300);
      if (query.length < MIN_LENGTH) {
        box.textContent = "";
        return;
      }
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (inFlight) {
        inFlight.abort();
      }
      inFlight = new AbortController();
      var params = new URLSearchParams({ q: query, source: "suggest", limit: String(LIMIT) });
      var category = field.getAttribute("data-kb-suggest-category");
      if (category) {
        params.set("category", category);
      }
      var url = (field.getAttribute("data-kb-suggest-url") || "/api/v1/kb/search/") + "?" + params.toString();
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: inFlight.signal })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) {
            return;
          }
          render(box, data);
          if (hidden && data.search_id) {
            hidden.value = data.search_id;
          }
        })
        .catch(function () { /* suggestions are a help, never an obstacle */ });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
  }

  function start() {
    if (!window.fetch || !window.AbortController || !window.URLSearchParams) {
      return;
    }
    document.querySelectorAll("textarea[data-kb-suggest], input[data-kb-suggest]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
