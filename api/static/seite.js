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
    box.scrollIntoView({ block: "nearest" });
  }

  function clearError() {
    byId("fehler").hidden = true;
    byId("fehler").textContent = "";
  }

  // Run ``work`` with ``button`` disabled; its error's sentence goes to the alert region.
  async function busy(button, work) {
    clearError();
    button.disabled = true;
    try {
      await work();
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
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


  // The events of a server-sent event stream read with fetch: ``onEvent(kind, data)`` for
  // each until it returns true or the stream ends; the rest of the stream is let go.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          const field = (name) => block.filter((l) => l.startsWith(name + ":"))
            .map((l) => l.slice(name.length + 1).replace(/^ /, "")).join("\n");
          const data = field("data");
          if (data && onEvent(field("event") || "message", JSON.parse(data))) return;
        }
      }
    } finally {
      reader.cancel().catch(function () { /* a draft job goes on without this stream */ });
    }
  }

  // "2019-05-02" as clerks write it: "02.05.2019".
  function germanDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return match ? match[3] + "." + match[2] + "." + match[1] : iso;
  }

  // A stored time as the page shows it: "30.11.2026, 16:20".
  function germanTime(iso) {
    return new Date(iso).toLocaleString("de-DE", { dateStyle: "medium", timeStyle: "short" });
  }

  return {
    readEvents: readEvents, germanDate: germanDate, germanTime: germanTime,
    TEXTS: TEXTS, byId: byId, el: el, title: title, announce: announce,
    showError: showError, clearError: clearError, busy: busy, summary: summary,
    PageError: PageError, call: call, csrfToken: csrfToken,
  };
})();
