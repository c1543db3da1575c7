// The writing desk of the article form (articles/desk_admin.py): live preview and publish checklist beside
// the fields, a Markdown toolbar and word count, autosave every few seconds, crash recovery and a warning
// before leaving with unsaved changes. Loaded as a file: the admin keeps its strict CSP (no inline script).
(function () {
  "use strict";
  var desk = document.getElementById("reex-desk");
  var form = document.getElementById("article_form");
  if (!desk || !form) return;
  var config = JSON.parse(desk.dataset.deskConfig);
  // Sandboxed (no scripts, an origin of its own): whatever the text holds, the preview cannot act.
  var frame = document.createElement("iframe");
  frame.id = "reex-desk-preview";
  frame.title = "Live preview of the brief";
  frame.setAttribute("sandbox", "");
  desk.appendChild(frame);
  var gate = document.getElementById("reex-gate");
  var status = document.getElementById("reex-desk-status");
  var PREVIEW_DELAY = 600;
  var AUTOSAVE_EVERY = Number(desk.dataset.autosaveMs || 4000);
  var dirty = false;
  var changedSinceAutosave = false;
  var submitting = false;
  var previewTimer = null;

  function csrf() {
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function formData() {
    var data = new FormData(form);
    Array.from(data.keys()).forEach(function (key) {
      if (data.get(key) instanceof File) data.delete(key);
    });
    return data;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" }
    });
  }

  // --- Live preview and checklist ---
  var previewSeq = 0;
  function refreshPreview() {
    var seq = ++previewSeq;
    return post(config.urls.preview, formData())
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (payload) {
        if (!payload || seq !== previewSeq) return;
        frame.srcdoc = payload.html;
        gate.innerHTML = payload.checklist_html;
        frame.dataset.version = String(seq);
      })
      .catch(function () { /* the next keystroke tries again */ });
  }

  function schedulePreview() {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY);
  }

  // --- Autosave ---
  function autosave() {
    if (!changedSinceAutosave || submitting) return;
    changedSinceAutosave = false;
    post(config.urls.autosave, formData())
      .then(function (response) { return response.json(); })
      .then(function (payload) {
        if (payload.label) {
          status.textContent = "Autosaved " + payload.label;
          status.dataset.autosaved = payload.saved_at;
        } else if (payload.error) {
          status.textContent = payload.error;
        }
      })
      .catch(function () { changedSinceAutosave = true; status.textContent = "Autosave failed; retrying."; });
  }

  function changed() {
    dirty = true;
    changedSinceAutosave = true;
    schedulePreview();
  }

  // --- Markdown toolbar and word count ---
  var MARKDOWN = "textarea[name=intro], textarea[name=bottom_line], textarea[name$='-explanation'], textarea[name$='-body']";
  var TOOLS = [
    ["Bold", "**", "**", "bold text"],
    ["Italic", "*", "*", "italic text"],
    ["Link", "[", "](https://)", "link text"],
    ["List", "\n- ", "", "list item"]
  ];

  function words(text) {
    var found = text.replace(/[#*_>\[\]()`-]/g, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu);
    return found ? found.length : 0;
  }

  function wrap(area, before, after, placeholder) {
    var start = area.selectionStart, end = area.selectionEnd;
    var selected = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + selected + after, start, end, "select");
    area.setSelectionRange(start + before.length, start + before.length + selected.length);
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function equip(area) {
    if (area.dataset.deskEquipped || area.name.indexOf("__prefix__") !== -1) return;
    area.dataset.deskEquipped = "1";
    var bar = document.createElement("div");
    bar.className = "reex-md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Markdown");
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool[0];
      button.dataset.tool = tool[0].toLowerCase();
      button.addEventListener("click", function () { wrap(area, tool[1], tool[2], tool[3]); });
      bar.appendChild(button);
    });
    area.parentNode.insertBefore(bar, area);
    var count = document.createElement("div");
    count.className = "reex-word-count help";
    count.setAttribute("aria-live", "polite");
    var update = function () { var n = words(area.value); count.textContent = n + (n === 1 ? " word" : " words"); };
    area.addEventListener("input", update);
    update();
    area.parentNode.insertBefore(count, area.nextSibling);
  }

  function equipAll(root) {
    Array.from(root.querySelectorAll(MARKDOWN)).forEach(equip);
  }

  // --- Crash recovery ---
  function setField(name, values) {
    var elements = form.querySelectorAll("[name='" + name.replace(/'/g, "\\'") + "']");
    Array.from(elements).forEach(function (el) {
      if (el.type === "file" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.from(el.options).forEach(function (option) { option.selected = values.indexOf(option.value) !== -1; });
      } else {
        el.value = values[0] || "";
      }
    });
  }

  function growInlines(data) {
    Object.keys(data).forEach(function (key) {
      var match = key.match(/^(.+)-TOTAL_FORMS$/);
      if (!match) return;
      var prefix = match[1];
      var total = form.querySelector("[name='" + key + "']");
      var add = document.querySelector("#" + prefix + "-group .add-row a");
      var want = Number(data[key][0]);
      while (total && add && Number(total.value) < want) {
        add.click();
      }
    });
  }

  function restore(data) {
    growInlines(data);
    Object.keys(data).forEach(function (name) {
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(name)) return;
      setField(name, data[name]);
    });
    // Unticked checkboxes are absent from the saved form: untick those.
    Array.from(form.querySelectorAll("input[type=checkbox]")).forEach(function (el) {
      if (el.name && !(el.name in data)) el.checked = false;
    });
    Array.from(form.querySelectorAll(MARKDOWN)).forEach(function (area) {
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
    changed();
  }

  function offerRecovery(recovered) {
    var banner = document.getElementById("reex-recover");
    banner.querySelector("[data-saved-at]").textContent = recovered.saved_at;
    banner.querySelector("[data-stale]").hidden = !recovered.stale;
    banner.hidden = false;
    banner.querySelector("[data-action=restore]").addEventListener("click", function () {
      restore(recovered.data);
      banner.hidden = true;
      status.textContent = "Restored the autosaved text of " + recovered.saved_at + ". Save to keep it.";
    });
    banner.querySelector("[data-action=discard]").addEventListener("click", function () {
      var data = new FormData();
      data.append("_discard", "1");
      post(config.urls.autosave, data);
      banner.hidden = true;
    });
  }

  // --- Focal point of the hero image: a click on the thumbnail sets it ---
  Array.from(document.querySelectorAll("[data-focal-picker]")).forEach(function (picker) {
    var image = picker.querySelector("img");
    var marker = picker.querySelector(".reex-focal-marker");
    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      form.querySelector("[name=hero_focal_x]").value = x.toFixed(4);
      form.querySelector("[name=hero_focal_y]").value = y.toFixed(4);
      marker.style.left = (x * 100).toFixed(1) + "%";
      marker.style.top = (y * 100).toFixed(1) + "%";
      changed();
    });
  });

  // --- Wiring ---
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { submitting = true; });
  document.addEventListener("formset:added", function (event) { equipAll(event.target); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.body.classList.add("reex-desk-on");
  equipAll(form);
  if (config.recovered) offerRecovery(config.recovered);
  window.setInterval(autosave, AUTOSAVE_EVERY);
  refreshPreview();
})();
