// @mention autocomplete for comment boxes (textarea[data-mentions]): typing "@" and the start of a handle lists
// the matching members below the box; a click, or Enter on a highlighted name, writes "@handle ".
// The member list comes from /api/v1/discussion/members once per page. No inline script: this file is loaded.
(function () {
  "use strict";
  var members = null;
  function load() {
    if (members) return Promise.resolve(members);
    return fetch("/api/v1/discussion/members", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { members = list; return list; })
      .catch(function () { members = []; return members; });
  }
  function wordAtCaret(box) {
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|[^\w@])@([\w.-]*)$/.exec(before);
    return match ? { start: before.length - match[2].length, text: match[2].toLowerCase() } : null;
  }
  function attach(box) {
    var list = document.createElement("ul");
    list.className = "mention-choices";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.id = box.id + "-mentions";
    list.hidden = true;
    box.insertAdjacentElement("afterend", list);
    box.setAttribute("aria-controls", list.id);
    var active = -1;
    function close() { list.hidden = true; list.innerHTML = ""; active = -1; }
    function choose(handle) {
      var word = wordAtCaret(box);
      if (!word) return close();
      var after = box.value.slice(box.selectionStart);
      box.value = box.value.slice(0, word.start) + handle + " " + after;
      var caret = word.start + handle.length + 1;
      box.setSelectionRange(caret, caret);
      close();
      box.focus();
    }
    function show() {
      var word = wordAtCaret(box);
      if (!word) return close();
      load().then(function (all) {
        var found = all.filter(function (m) {
          return m.handle.indexOf(word.text) === 0 || m.name.toLowerCase().indexOf(word.text) === 0;
        }).slice(0, 8);
        list.innerHTML = "";
        active = -1;
        found.forEach(function (m) {
          var item = document.createElement("li");
          item.setAttribute("role", "option");
          item.dataset.handle = m.handle;
          item.textContent = "@" + m.handle + " · " + m.name;
          item.addEventListener("mousedown", function (e) { e.preventDefault(); choose(m.handle); });
          list.appendChild(item);
        });
        list.hidden = found.length === 0;
      });
    }
    box.addEventListener("input", show);
    box.addEventListener("blur", function () { setTimeout(close, 100); });
    box.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
        items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        choose(items[active].dataset.handle);
      } else if (e.key === "Escape") {
        close();
      }
    });
  }
  document.querySelectorAll("textarea[data-mentions]").forEach(function (box, i) {
    if (!box.id) box.id = "mention-box-" + i;
    attach(box);
  });
})();
