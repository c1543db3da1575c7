// Small progressive enhancements; every page works without JavaScript.

// "Copy citation": copies the text of the element named by data-copy-target.
// The button says "Copied" for two seconds and a polite live region tells
// screen-reader users; without clipboard access the text is selected instead,
// so Ctrl+C still works.
function reexAnnounce(button, message) {
  var scope = button.closest("section, header, article") || document;
  var status = scope.querySelector(".copy-status") || document.querySelector(".copy-status");
  if (status) status.textContent = message;
}

function reexSelect(element) {
  var range = document.createRange();
  range.selectNodeContents(element);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  if (!source) return;
  var text = source.innerText.trim();
  if (!navigator.clipboard || !window.isSecureContext) {
    reexSelect(source);
    reexAnnounce(button, "Citation selected: press Ctrl+C (or ⌘+C) to copy it.");
    return;
  }
  navigator.clipboard.writeText(text).then(function () {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = "Copied";
    reexAnnounce(button, "Citation copied to the clipboard.");
    setTimeout(function () { button.textContent = original; }, 2000);
  }, function () {
    reexSelect(source);
    reexAnnounce(button, "Citation selected: press Ctrl+C (or ⌘+C) to copy it.");
  });
});

// --- CSRF for cached pages (reex/csrf.py) ---
// Pages served from the page cache carry an empty token field ({% csrf_field %});
// fetch this visitor's token from /csrf/ just before the form is sent. If that
// fails, the form is sent anyway and the server's "Please confirm" page keeps the text.
(function () {
  var pending = null;
  function fetchToken() {
    if (!pending) {
      pending = fetch("/csrf/", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (data) { return data.token || ""; })
        .catch(function () { return ""; });
    }
    return pending;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var fields = form.querySelectorAll("input[data-csrf-field]");
    if (!fields.length || fields[0].value || form.dataset.csrfSending) return;
    // Other submit handlers run on the second, token-carrying submit.
    event.preventDefault();
    event.stopImmediatePropagation();
    form.dataset.csrfSending = "1";
    var submitter = event.submitter;
    fetchToken().then(function (token) {
      fields.forEach(function (field) { field.value = token; });
      // requestSubmit runs validation and submit handlers again, now with the token in place.
      if (form.requestSubmit) {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      } else {
        form.submit();
      }
      delete form.dataset.csrfSending;
    });
  }, true);
})();

// --- "Cite this" style picker (templates/articles/_cite_this.html) ---
// Shows the picker (hidden without JavaScript, when only APA shows), swaps the visible citation and
// points the box's "Copy citation" button at it.
(function () {
  document.querySelectorAll("[data-cite-box]").forEach(function (box) {
    var picker = box.querySelector(".cite-style-picker");
    if (picker) picker.hidden = false;
  });
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-cite-select]");
    if (!select) return;
    var box = select.closest("[data-cite-box]");
    var shown = null;
    box.querySelectorAll("[data-cite-style]").forEach(function (text) {
      text.hidden = text.getAttribute("data-cite-style") !== select.value;
      if (!text.hidden) shown = text;
    });
    var scope = box.parentElement;
    var copy = scope && scope.querySelector("[data-copy-target]");
    if (copy && shown) copy.setAttribute("data-copy-target", shown.id);
  });
})();
