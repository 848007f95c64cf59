// The 代表参与活动 card of a suggestion's page: loads the activities linked to it. Without
// this file the card keeps its links to the activity list.
(function () {
  "use strict";
  document.querySelectorAll("[data-activities]").forEach(function (el) {
    // redirect: "manual" — a signed-out session is sent to the sign-in page, which must not
    // end up inside the card.
    fetch(el.getAttribute("data-activities"), { credentials: "same-origin", redirect: "manual" })
      .then(function (r) { return r.ok && r.type !== "opaqueredirect" ? r.text() : Promise.reject(r.status); })
      .then(function (html) { el.innerHTML = html; })
      .catch(function () { el.insertAdjacentText("afterbegin", "代表活动加载失败。"); });
  });
})();
