// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.innerText.trim()).then(function () {
    var original = button.textContent;
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = original; }, 2000);
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
