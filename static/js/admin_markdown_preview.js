// Live preview of the article admin's Markdown fields (intro, bottom line, findings' explanations, free
// sections' bodies): the text is rendered on the server by the same code that renders it on save, so the
// preview is exactly what readers will see. Plain-text fields get no preview: they are printed as typed.
(function () {
  "use strict";

  var MARKDOWN_NAME = /^(intro|bottom_line|.+-explanation|.+-body)$/;
  var timers = new WeakMap();

  function endpoint() {
    var marked = document.querySelector("[data-markdown-preview]");
    return marked ? marked.getAttribute("data-markdown-preview") : null;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function paneFor(textarea) {
    var id = textarea.id + "-preview";
    var pane = document.getElementById(id);
    if (!pane) {
      pane = document.createElement("div");
      pane.id = id;
      pane.className = "markdown-preview";
      pane.setAttribute("aria-live", "polite");
      pane.setAttribute("aria-label", "Preview");
      pane.style.cssText = "border:1px dashed #9aa7b1;padding:.5em .75em;margin:.5em 0;width:min(100%, 48em);box-sizing:border-box;";
      textarea.insertAdjacentElement("afterend", pane);
    }
    return pane;
  }

  function render(textarea) {
    var url = endpoint();
    if (!url) return;
    var body = new URLSearchParams();
    body.set("text", textarea.value);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body,
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var pane = paneFor(textarea);
        if (data.error) {
          pane.textContent = data.error;
        } else {
          // Sanitised on the server with the site's allow-list (articles/markdown.py).
          pane.innerHTML = data.html || "<p><em>Nothing to preview yet.</em></p>";
        }
      })
      .catch(function () {
        paneFor(textarea).textContent = "The preview could not be loaded.";
      });
  }

  function isMarkdown(element) {
    return element && element.tagName === "TEXTAREA" && MARKDOWN_NAME.test(element.name) && !/__prefix__/.test(element.name);
  }

  document.addEventListener("input", function (event) {
    if (!isMarkdown(event.target)) return;
    var textarea = event.target;
    clearTimeout(timers.get(textarea));
    timers.set(textarea, setTimeout(function () { render(textarea); }, 400));
  });

  function init() {
    document.querySelectorAll("textarea").forEach(function (textarea) {
      if (isMarkdown(textarea) && textarea.value.trim()) render(textarea);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
