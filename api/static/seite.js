/* The draft page's toolkit, shared by page.js and entwurf.js: the presenter's titles, DOM
   helpers, the messages (polite live region, error box), and calls to the API with the CSRF
   token of a login session. Loaded after gemeinsam.js. */
"use strict";
window.Seite = (function () {
  const TEXTS = JSON.parse(document.getElementById("texte").textContent);
  const MODE = document.body.dataset.modus;

  function byId(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function title(section) { return TEXTS.sections[section] || section; }

  // --- messages ---------------------------------------------------------------------------

  function announce(text) { byId("meldung").textContent = text; }

  function showError(text) {
    const box = byId("fehler");
    box.textContent = text;
    box.hidden = false;
  }

  function clearError() {
    byId("fehler").hidden = true;
    byId("fehler").textContent = "";
  }

  function summary(report) {
    if (!report) return "Noch nicht geprüft.";
    return "Prüfung: " + report.errors.length + " Fehler, " + report.warnings.length + " Hinweis(e).";
  }

  // --- the API ----------------------------------------------------------------------------

  class PageError extends Error {
    constructor(message, status) { super(message); this.status = status || 0; }
  }

  let csrf = null;

  async function csrfToken() {
    if (MODE !== "angemeldet") return null;
    if (!csrf) {
      const response = await call("GET", "/api/session");
      csrf = (await response.json()).csrf_token;
    }
    return csrf;
  }

  async function call(method, url, body, accept) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (accept) headers.Accept = accept;
    if (method !== "GET") {
      const token = await csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
    }
    let response;
    try {
      response = await fetch(url, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (err) {
      throw new PageError(window.Vorlagen.OFFLINE);
    }
    if (!response.ok) throw new PageError(await window.Vorlagen.detail(response), response.status);
    return response;
  }


  return {
    TEXTS: TEXTS, byId: byId, el: el, title: title, announce: announce,
    showError: showError, clearError: clearError, summary: summary,
    PageError: PageError, call: call,
  };
})();
