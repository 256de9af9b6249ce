/* Shared by the pages (loaded first): the skip link, and the German sentence of an API error.

   The skip link moves the keyboard focus to the main part (not every browser does that for a
   same-page link), so that the next Tab starts there. */
"use strict";
window.Vorlagen = (function () {
  document.addEventListener("click", function (event) {
    const link = event.target instanceof Element ? event.target.closest("a.sprung") : null;
    const target = link ? document.getElementById(link.hash.slice(1)) : null;
    if (!target) return;
    event.preventDefault();
    target.focus();
  });

  const OFFLINE = "Der Server ist nicht erreichbar; bitte prüfen Sie die Verbindung und versuchen Sie es erneut.";

  // The API's error body is {"detail": "<one German sentence>"}; anything else gets one too.
  async function detail(response) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch (ignored) { /* not JSON */ }
    return "Der Server hat mit dem Fehler " + response.status + " geantwortet; bitte später erneut versuchen.";
  }

  return { OFFLINE: OFFLINE, detail: detail };
})();
