// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Confirm destructive actions.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-confirm]");
    if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
  });
  // Trend bars: height from data attributes (CSP forbids inline styles).
  document.querySelectorAll(".tcol .bars span").forEach(function (s) {
    var h = +s.getAttribute("data-h"), m = +s.getAttribute("data-max");
    s.style.height = (m > 0 ? Math.round(h / m * 100) : 0) + "%";
  });
  // Assign form: the reply due date follows the mode; the chain shows for joint cases;
  // leader-led implies a key suggestion.
  var mode = document.getElementById("mode");
  if (mode) {
    var due = document.getElementById("due-reply"), chain = document.getElementById("chain"), key = document.getElementById("is-key");
    var sync = function () {
      due.value = mode.value === "fast_track" ? due.getAttribute("data-fast") : due.getAttribute("data-normal");
      chain.classList.toggle("hidden", mode.value !== "joint");
      if (mode.value === "leader_led") key.checked = true;
    };
    // A unit cannot be both lead and co-unit: hide the lead unit among the co-units.
    var lead = document.getElementById("lead-unit");
    var syncLead = function () {
      document.querySelectorAll('input[name="co_units"]').forEach(function (cb) {
        var same = cb.value === lead.value;
        if (same) cb.checked = false;
        cb.parentNode.classList.toggle("hidden", same);
      });
    };
    lead.addEventListener("change", syncLead);
    syncLead();
    mode.addEventListener("change", sync);
    sync();
  }
  // Reply form: add commitment rows.
  var add = document.getElementById("add-commitment");
  if (add) {
    add.addEventListener("click", function () {
      var body = document.querySelector("#commitments tbody");
      var row = body.rows[0].cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      body.appendChild(row);
    });
  }
  // Review queue: load the similar earlier suggestions beside each submission.
  document.querySelectorAll("[data-similar]").forEach(function (td) {
    td.textContent = "正在查找相似建议…";
    fetch(td.getAttribute("data-similar"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { td.innerHTML = html; })
      .catch(function () { td.textContent = "相似建议加载失败"; });
  });
  // Contact time defaults to now.
  var ct = document.getElementById("contact-time");
  if (ct && !ct.value) {
    var d = new Date(Date.now() - new Date().getTimezoneOffset() * 60000);
    ct.value = d.toISOString().slice(0, 16);
  }
})();
