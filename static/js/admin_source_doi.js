// "Fill from DOI" in the Source admin: asks the server (which asks Crossref or DataCite) for the record and
// fills the form's fields. Nothing is saved: the editor checks the fields and saves as usual.
(function () {
  "use strict";

  function setField(name, value) {
    var field = document.getElementById("id_" + name);
    if (!field || value === undefined || value === null) {
      return;
    }
    field.value = String(value);
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init() {
    var doi = document.getElementById("id_doi");
    if (!doi || !doi.dataset.lookupUrl) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.id = "fill-from-doi";
    button.textContent = "Fill from DOI";
    button.style.marginLeft = "0.5em";
    var status = document.createElement("p");
    status.id = "fill-from-doi-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    doi.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", status);

    button.addEventListener("click", function () {
      var value = doi.value.trim();
      status.className = "";
      if (!value) {
        status.textContent = "Paste a DOI first, e.g. 10.15826/recon.2025.11.3.016.";
        status.className = "errornote";
        return;
      }
      button.disabled = true;
      status.textContent = "Looking the DOI up…";
      var url = doi.dataset.lookupUrl + "?doi=" + encodeURIComponent(value) + "&pk=" + (doi.dataset.sourcePk || "");
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.json().catch(function () {
            return { error: "The look-up failed (HTTP " + response.status + "). Fill the fields by hand." };
          });
        })
        .then(function (data) {
          if (data.error) {
            status.textContent = data.error;
            status.className = "errornote";
            return;
          }
          Object.keys(data.fields).forEach(function (name) {
            setField(name, data.fields[name]);
          });
          status.textContent = data.message;
          status.className = "success";
        })
        .catch(function () {
          status.textContent = "The look-up could not be sent. Check your connection and try again.";
          status.className = "errornote";
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
