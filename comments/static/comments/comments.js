// The comment form's per-visitor parts, and threaded replies without a page load.
// Without JavaScript everything still works: the Reply link opens a reply page,
// and a comment sent without its timing token is accepted and held for an editor.
(function () {
  var respond = document.getElementById("respond");
  if (!respond) return;
  var form = respond.querySelector("form.comment-form");

  // After a failed post, take keyboard and screen-reader users to the list of what to fix.
  var summary = respond.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // The signed "shown at" time (and a CSRF token) are never in the page, which
  // may come from the page cache: they are fetched for this visitor when the
  // form first scrolls into view or is focused, whichever comes first. A form
  // sent before that waits for them, so a bot cannot outrun the time trap.
  if (form) {
    var ts = form.querySelector("input[name=ts]");
    var pending = null;
    var fetchToken = function () {
      if (!pending) {
        pending = fetch(form.getAttribute("data-token-url"), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : {}; })
          .then(function (data) {
            if (data.ts && !ts.value) ts.value = data.ts;
            form.querySelectorAll("input[data-csrf-field]").forEach(function (field) {
              if (data.csrf && !field.value) field.value = data.csrf;
            });
          })
          .catch(function () {});
      }
      return pending;
    };
    if (ts && !ts.value) {
      form.addEventListener("focusin", fetchToken);
      if ("IntersectionObserver" in window) {
        var observer = new IntersectionObserver(function (entries) {
          if (entries.some(function (entry) { return entry.isIntersecting; })) {
            observer.disconnect();
            fetchToken();
          }
        });
        observer.observe(form);
      }
      form.addEventListener("submit", function (event) {
        if (ts.value || form.dataset.tokenWaited) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        form.dataset.tokenWaited = "1";
        var submitter = event.submitter;
        fetchToken().then(function () {
          if (form.requestSubmit) {
            form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
          } else {
            form.submit();
          }
        });
      });
    }
  }

  var home = document.createComment("respond-home");
  respond.parentNode.insertBefore(home, respond);
  var parentInput = respond.querySelector("input[name=parent]");
  var note = respond.querySelector("[data-replying-to]");
  var noteName = respond.querySelector("[data-replying-to-name]");
  var title = respond.querySelector("#reply-title");

  function reset() {
    home.parentNode.insertBefore(respond, home);
    parentInput.value = "";
    note.hidden = true;
    title.textContent = "Submit a Comment";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-reply-to]");
    if (link) {
      event.preventDefault();
      link.closest(".comment-body").after(respond);
      parentInput.value = link.getAttribute("data-reply-to");
      noteName.textContent = link.getAttribute("data-reply-name");
      note.hidden = false;
      title.textContent = "Reply to " + link.getAttribute("data-reply-name");
      respond.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("[data-cancel-reply]")) {
      event.preventDefault();
      reset();
      respond.querySelector("textarea").focus();
    }
  });
})();
