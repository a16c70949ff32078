(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
      if (node.classList && node.classList.contains("hidden")) { node.classList.remove("hidden"); }
    }
    target.scrollIntoView({block: "start"});
  }
  function fromHash() { reveal(decodeURIComponent(location.hash.slice(1))); }
  window.addEventListener("hashchange", fromHash);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (link && link.getAttribute("href") === location.hash) { reveal(decodeURIComponent(location.hash.slice(1))); }
  });
  var expand = document.getElementById("expand-all");
  if (expand) {
    expand.addEventListener("click", function () {
      var open = expand.getAttribute("aria-pressed") !== "true";
      all("details.item").forEach(function (d) { d.open = open; });
      expand.setAttribute("aria-pressed", String(open));
      expand.textContent = open ? "Collapse all" : "Expand all";
    });
  }
  var holes = document.getElementById("holes-only");
  var matrix = document.getElementById("matrix-table");
  if (holes && matrix) {
    holes.addEventListener("click", function () {
      var on = !matrix.classList.contains("holes-only");
      matrix.classList.toggle("holes-only", on);
      holes.setAttribute("aria-pressed", String(on));
    });
  }
  var text = document.getElementById("entry-filter");
  var fn = document.getElementById("function-filter");
  var bad = document.getElementById("misaligned-only");
  function filter() {
    var words = text ? text.value.toLowerCase().trim() : "";
    var wanted = fn ? fn.value : "";
    var onlyBad = bad ? bad.checked : false;
    var shown = 0;
    all("details.entry").forEach(function (d) {
      var summary = d.querySelector("summary"), owner = d.querySelector(".owner");
      var haystack = ((summary ? summary.textContent : "") + " " + (owner ? owner.textContent : "")).toLowerCase();
      var hit = (!words || haystack.indexOf(words) >= 0) &&
        (!wanted || d.getAttribute("data-function") === wanted) &&
        (!onlyBad || d.getAttribute("data-standing") !== "aligned");
      d.classList.toggle("hidden", !hit);
      if (hit) { shown += 1; }
    });
    var count = document.getElementById("entry-count");
    if (count) { count.textContent = String(shown); }
  }
  [text, fn, bad].forEach(function (el) { if (el) { el.addEventListener("input", filter); el.addEventListener("change", filter); } });
  window.addEventListener("beforeprint", function () { all("details").forEach(function (d) { d.open = true; }); });
  if (location.hash) { fromHash(); }
})();
