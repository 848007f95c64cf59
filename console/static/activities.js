// The 代表参与活动 card of a suggestion's page: loads the activities linked to it. Without
// this file the card keeps its links to the activity list.
(function () {
  "use strict";
  document.querySelectorAll("[data-activities]").forEach(function (el) {
    fetch(el.getAttribute("data-activities"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { el.innerHTML = html; })
      .catch(function () { el.insertAdjacentText("afterbegin", "代表活动加载失败。"); });
  });
})();
