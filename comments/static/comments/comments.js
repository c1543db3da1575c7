// Threaded replies without a page load: "Reply" moves the form under the comment.
// Without JavaScript the Reply link opens a reply page, so nothing depends on this.
(function () {
  var respond = document.getElementById("respond");
  if (!respond) return;
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
