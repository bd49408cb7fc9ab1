// What Django's bundled admin widgets leave unnamed for assistive technology, named after the
// fact: select2's search boxes and selections (autocomplete fields) take the label of the
// select they stand for; the filter widget's search icons become images. Runs on load and on
// every change of the page, since select2 builds its markup from script.
(function () {
  "use strict";

  function labelOf(select) {
    if (!select || !select.id) return "";
    var label = document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function patch(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      var name = labelOf(select);
      if (!name) return;
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        field.setAttribute("aria-label", "Search " + name);
      });
      container
        .querySelectorAll(".select2-selection, .select2-selection__rendered[role]")
        .forEach(function (box) {
          box.setAttribute("aria-label", name);
        });
      container.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        list.setAttribute("role", "presentation");
        Array.prototype.forEach.call(list.children, function (child) {
          if (child.tagName !== "LI") child.setAttribute("role", "presentation");
        });
      });
    });
    root.querySelectorAll(".help-tooltip[aria-label], .search-label-icon[aria-label]").forEach(
      function (icon) {
        icon.setAttribute("role", "img");
      }
    );
  }

  function start() {
    patch(document);
    new MutationObserver(function () {
      patch(document);
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
