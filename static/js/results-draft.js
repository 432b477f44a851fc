/*
 * results-draft.js: what a caseworker types on the results page survives a lost signal on
 * site, a closed tab or a flat battery.
 *
 * Every form with `data-draft-key` is saved to localStorage on each input or change and
 * restored when the page is loaded again.
 *
 * When is a draft cleared? NOT when the form is submitted. A submit can still fail: no
 * network at the workplace, a server error, or a 400 with errors. Clearing on submit would
 * throw away exactly the work this script exists to keep. Instead the draft is cleared only
 * when the server says it stored the form: after a successful POST the server redirects back
 * to this page and renders that one form with `data-draft-saved` (a one-shot flag kept in the
 * session), and this script then forgets the draft instead of restoring it. A 400 re-render
 * already carries the submitted values, which equal the draft, so nothing is restored or
 * announced there, and the draft is kept until the form is finally saved.
 *
 * Drafts are per person (the key carries the user id) and are dropped after seven days.
 * Hidden inputs (the CSRF token, the formset's management form) are never stored.
 * "Discard draft" resets the form to what the server rendered and forgets the draft.
 * Without JavaScript, or without storage, the forms are plain POST forms and work the same.
 */
(function () {
  "use strict";

  var PREFIX = "akrim:draft:";
  var MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
  var SKIPPED = ["hidden", "submit", "button", "reset", "file", "password", "image"];

  function openStorage() {
    try {
      var storage = window.localStorage;
      storage.setItem(PREFIX + "probe", "1");
      storage.removeItem(PREFIX + "probe");
      return storage;
    } catch (error) {
      return null; // private mode or storage switched off: no drafts, the forms still work
    }
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && !element.disabled && SKIPPED.indexOf(element.type) === -1;
    });
  }

  function collect(form) {
    var values = {};
    fieldsOf(form).forEach(function (element) {
      if (element.type === "checkbox") {
        values[element.name] = element.checked;
      } else if (element.type === "radio") {
        if (element.checked) {
          values[element.name] = element.value;
        }
      } else if (element.type === "select-multiple") {
        values[element.name] = Array.prototype.filter
          .call(element.options, function (option) { return option.selected; })
          .map(function (option) { return option.value; });
      } else {
        values[element.name] = element.value;
      }
    });
    return values;
  }

  function apply(form, values) {
    fieldsOf(form).forEach(function (element) {
      if (!Object.prototype.hasOwnProperty.call(values, element.name)) {
        return;
      }
      var value = values[element.name];
      if (element.type === "checkbox") {
        element.checked = value === true;
      } else if (element.type === "radio") {
        element.checked = element.value === value;
      } else if (element.type === "select-multiple") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = Array.isArray(value) && value.indexOf(option.value) !== -1;
        });
      } else {
        element.value = value;
      }
    });
  }

  function same(a, b) {
    var keys = Object.keys(a).concat(Object.keys(b));
    return keys.every(function (key) {
      return JSON.stringify(a[key]) === JSON.stringify(b[key]);
    });
  }

  function read(storage, key) {
    try {
      var draft = JSON.parse(storage.getItem(key));
      if (draft && typeof draft.values === "object" && Date.now() - draft.at < MAX_AGE_MS) {
        return draft;
      }
    } catch (error) {
      // A damaged entry is worth nothing: fall through and drop it.
    }
    storage.removeItem(key);
    return null;
  }

  function write(storage, key, values) {
    try {
      storage.setItem(key, JSON.stringify({ at: Date.now(), values: values }));
    } catch (error) {
      // Storage full: keep going without a draft rather than break the form.
    }
  }

  function dropExpired(storage) {
    for (var index = storage.length - 1; index >= 0; index -= 1) {
      var key = storage.key(index);
      if (key && key.indexOf(PREFIX) === 0) {
        read(storage, key); // removes it when expired or damaged
      }
    }
  }

  function guard(storage, form) {
    var key = PREFIX + form.getAttribute("data-draft-key");
    var note = form.querySelector(".draft-note");
    if (form.hasAttribute("data-draft-saved")) {
      storage.removeItem(key); // the server stored this form: the draft is done
    }
    var rendered = collect(form);
    // A form re-rendered with errors shows values that are not saved yet: never treat them
    // as "nothing typed", so they stay in the draft.
    var baseline = form.querySelector(".field-error, .error-summary") ? null : rendered;
    var draft = read(storage, key);
    if (draft && !same(draft.values, rendered)) {
      apply(form, draft.values);
      if (note) {
        note.hidden = false;
      }
    }

    function save() {
      var values = collect(form);
      if (baseline && same(values, baseline)) {
        storage.removeItem(key);
      } else {
        write(storage, key, values);
      }
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
    var discard = note && note.querySelector(".draft-discard");
    if (discard) {
      discard.addEventListener("click", function () {
        form.reset();
        storage.removeItem(key);
        note.hidden = true;
      });
    }
  }

  var storage = openStorage();
  if (!storage) {
    return;
  }
  dropExpired(storage);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-key]"), function (form) {
    guard(storage, form);
  });
})();
