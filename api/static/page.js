/* The clerks' draft page: a client of the HTTP API (docs/api.md, docs/web.md).

   Start:    POST /api/drafts/stream; its first event (queued) names the job, the address
             becomes /entwurf/<id>, and the page follows GET /api/drafts/<id>/events (an
             EventSource: it replays the job's events and resumes with Last-Event-ID).
   Reload:   /entwurf/<id> asks GET /api/drafts/<id>; a running job is followed again, a
             finished one is shown (its latest stored version).
   Finished: each section in a textarea; POST /api/validate, PUT /api/drafts/<id>,
             POST /api/export (with force only after the clerk confirmed).

   Everything from the server or from retrieved documents is inserted with textContent. */
"use strict";
(function () {
  const TEXTS = JSON.parse(document.getElementById("texte").textContent);
  const MODE = document.body.dataset.modus;
  const EDITABLE = ["beschlussvorschlag", "sachdarstellung", "finanzielle_auswirkungen"];
  const STREAMED = ["beschlussvorschlag", "sachdarstellung"];
  const EVENTS = ["queued", "retrieval", "section_started", "token", "section_done",
    "validation", "done", "error", "cancelled"];
  const ENDED = ["done", "failed", "cancelled", "interrupted"];
  const NO_JOB = "Der Entwurf konnte nicht gestartet werden; bitte erneut versuchen.";

  const state = { id: null, draft: null, source: null, csrf: null, started: {}, done: {} };

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

  async function csrfToken() {
    if (MODE !== "angemeldet") return null;
    if (!state.csrf) {
      const response = await call("GET", "/api/session");
      state.csrf = (await response.json()).csrf_token;
    }
    return state.csrf;
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

  // The first event of POST /api/drafts/stream (queued) names the job.
  async function firstJobId(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).replace(/^ /, "")).join("\n");
          if (!data) continue;
          const parsed = JSON.parse(data);
          if (parsed && typeof parsed.id === "string") return parsed.id;
          if (parsed && parsed.message) throw new PageError(parsed.message);
        }
      }
    } finally {
      reader.cancel().catch(function () { /* the job goes on without this stream */ });
    }
  }

  // --- the form ---------------------------------------------------------------------------

  function optional(value) {
    const text = value.trim();
    return text ? text : null;
  }

  function readForm() {
    const form = byId("anfrage");
    const value = (name) => form.elements.namedItem(name).value;
    return {
      betreff: value("betreff"),
      kommune: optional(value("kommune")),
      gremium: value("gremium"),
      fakten: value("fakten"),
      finanzielle_auswirkungen: optional(value("finanzielle_auswirkungen")),
    };
  }

  function checkForm() {
    const form = byId("anfrage");
    for (const [name, label] of [["betreff", "den Betreff"], ["gremium", "das entscheidende Gremium"]]) {
      const field = form.elements.namedItem(name);
      if (!field.value.trim()) {
        showError("Bitte geben Sie " + label + " an.");
        field.setAttribute("aria-invalid", "true");
        field.focus();
        return false;
      }
      field.removeAttribute("aria-invalid");
    }
    return true;
  }

  async function startDraft(event) {
    event.preventDefault();
    clearError();
    if (!checkForm()) return;
    const button = byId("schreiben");
    button.disabled = true;
    announce(TEXTS.searching);
    try {
      const response = await call("POST", "/api/drafts/stream", readForm(), "text/event-stream");
      const id = await firstJobId(response);
      if (!id) throw new PageError(NO_JOB);
      history.pushState({ entwurf: id }, "", "/entwurf/" + encodeURIComponent(id));
      follow(id);
    } catch (err) {
      button.disabled = false;
      announce("");
      showError(err.message || NO_JOB);
    }
  }

  // --- following a job --------------------------------------------------------------------

  function resetRun() {
    state.draft = null;
    state.started = {};
    state.done = {};
    byId("lauf").hidden = false;
    byId("aktionen").hidden = true;
    byId("bestaetigung").hidden = true;
    byId("abbrechen").hidden = false;
    byId("neu").hidden = true;
    byId("schreiben").disabled = true;
    const box = byId("abschnitte");
    box.replaceChildren();
    for (const section of STREAMED) {
      const article = el("article", "abschnitt");
      article.append(el("h3", null, title(section)));
      const text = el("div", "strom");
      text.id = "strom-" + section;
      article.append(text);
      box.append(article);
    }
    renderFindings(null);
  }

  function follow(id) {
    state.id = id;
    resetRun();
    const source = new EventSource("/api/drafts/" + encodeURIComponent(id) + "/events");
    state.source = source;
    for (const kind of EVENTS) {
      source.addEventListener(kind, function (message) {
        handle(kind, JSON.parse(message.data));
      });
    }
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        stopFollowing();
        load(id); // the job is no longer followable: show what the server has
      } else {
        announce("Die Verbindung ist unterbrochen; der Entwurf läuft weiter, die Seite verbindet sich erneut …");
      }
    };
  }

  function stopFollowing() {
    if (state.source) state.source.close();
    state.source = null;
  }

  function streamBox(section) { return byId("strom-" + section); }

  const HANDLERS = {
    queued: function (data) {
      announce("In der Warteschlange: Platz " + data.position + ". Der Entwurf beginnt, sobald das Sprachmodell frei ist.");
    },
    retrieval: function (data) {
      renderSources(data.citations);
      announce(data.citations.length + " Quellen gefunden; das Sprachmodell schreibt …");
    },
    section_started: function (data) {
      const box = streamBox(data.section);
      if (box && data.attempt > 0) box.textContent = "";
      if (!state.started[data.section]) {
        state.started[data.section] = true;
        announce("Schreibe " + (data.section === "sachdarstellung" ? "die Sachdarstellung" : "den Beschlussvorschlag") + " …");
      }
    },
    token: function (data) {
      const box = streamBox(data.section);
      if (box) box.append(document.createTextNode(data.text));
    },
    section_done: function (data) {
      const box = streamBox(data.section);
      if (box) box.textContent = data.text;
      if (!state.done[data.section]) {
        state.done[data.section] = true;
        announce(title(data.section) + " ist geschrieben.");
      }
    },
    validation: function (data) {
      renderFindings(data.report);
      announce(summary(data.report));
    },
    done: function (data) {
      stopFollowing();
      showDraft(data.draft);
      announce("Der Entwurf ist fertig. " + summary(data.draft.validation));
    },
    error: function (data) { ended(data.message); },
    cancelled: function (data) { ended(data.message); },
  };

  function handle(kind, data) {
    const handler = HANDLERS[kind];
    if (handler) handler(data);
  }

  function ended(message) {
    stopFollowing();
    finishButtons();
    showError(message);
    announce("");
  }

  function finishButtons() {
    const focusWasOnCancel = document.activeElement === byId("abbrechen");
    byId("abbrechen").hidden = true;
    byId("neu").hidden = false;
    byId("schreiben").disabled = false;
    if (focusWasOnCancel) byId("lauf-titel").focus();
  }

  async function cancel() {
    if (!state.id) return;
    try {
      await call("POST", "/api/drafts/" + encodeURIComponent(state.id) + "/cancel");
    } catch (err) {
      showError(err.message);
    }
  }

  // A draft named in the address: follow it while it runs, else show the latest version.
  async function load(id) {
    state.id = id;
    let job;
    try {
      job = await (await call("GET", "/api/drafts/" + encodeURIComponent(id))).json();
    } catch (err) {
      showError(err.message);
      return;
    }
    if (!ENDED.includes(job.status)) {
      follow(id);
      return;
    }
    resetRun();
    if (job.status !== "done" || !job.draft) {
      ended(job.error || "Dieser Entwurf wurde nicht fertig; bitte erneut starten.");
      return;
    }
    showDraft(await latestVersion(id, job.draft));
    announce("Der Entwurf ist fertig. " + summary(state.draft.validation));
  }

  async function latestVersion(id, fallback) {
    try {
      const versions = await (await call("GET", "/api/drafts/" + encodeURIComponent(id) + "/versions")).json();
      return versions.length ? versions[versions.length - 1].draft : fallback;
    } catch (err) {
      return fallback;
    }
  }

  // --- sources ----------------------------------------------------------------------------

  function renderSources(citations) {
    const list = byId("quellen-liste");
    list.replaceChildren();
    byId("quellen").hidden = false;
    byId("quellen-leer").hidden = citations.length > 0;
    for (const citation of citations) {
      const item = el("li", "quelle");
      item.id = "quelle-" + citation.n;
      const head = el("p", "kopfzeile");
      head.textContent = "[" + citation.n + "] " + (citation.vorlagen_nr ? "Vorlage " + citation.vorlagen_nr + ": " : "") + (citation.betreff || "ohne Betreff");
      item.append(head);
      const facts = [citation.kommune, "Abschnitt: " + title(citation.section)];
      if (citation.oeffentlich === false) facts.push("nichtöffentlich");
      item.append(el("p", "angaben", facts.filter(Boolean).join(" · ")));
      const quote = el("blockquote", null, citation.passage);
      quote.setAttribute("aria-label", "Stelle, die das Sprachmodell gesehen hat");
      item.append(quote);
      list.append(item);
    }
  }

  // --- the finished draft -----------------------------------------------------------------

  function showDraft(draft) {
    state.draft = draft;
    finishButtons();
    const box = byId("abschnitte");
    box.replaceChildren();
    for (const section of EDITABLE) {
      const article = el("article", "abschnitt");
      const label = el("label", null, title(section));
      label.htmlFor = "feld-" + section;
      const area = el("textarea", section === "sachdarstellung" ? "lang" : null);
      area.id = "feld-" + section;
      area.value = draft[section] || "";
      const heading = el("h3");
      heading.append(label);
      article.append(heading, area);
      box.append(article);
    }
    renderSources(draft.citations || []);
    renderFindings(draft.validation);
    byId("aktionen").hidden = false;
  }

  function findingItem(finding) {
    const item = el("li", "befund" + (finding.severity === "error" ? " fehler-befund" : ""));
    const parts = [
      el("span", "art", (TEXTS.severities[finding.severity] || finding.severity) + ": "),
      el("span", "nachricht", finding.message),
    ];
    if (finding.where) parts.push(el("span", "stelle", "Stelle: " + finding.where));
    const target = finding.field && byId("feld-" + finding.field);
    if (target) {
      const button = el("button");
      button.type = "button";
      button.append(...parts);
      button.addEventListener("click", function () { goTo(target, finding); });
      item.append(button);
    } else {
      item.append(...parts);
    }
    return item;
  }

  function goTo(area, finding) {
    area.focus();
    if (Number.isInteger(finding.start) && Number.isInteger(finding.end)) {
      area.setSelectionRange(finding.start, finding.end);
    }
  }

  function renderFindings(report) {
    const list = byId("befunde-liste");
    list.replaceChildren();
    byId("befunde-summe").textContent = report
      ? (report.ok && !report.warnings.length ? "Keine Befunde." : summary(report))
      : "Noch nicht geprüft.";
    if (!report) return;
    for (const finding of report.errors.concat(report.warnings)) list.append(findingItem(finding));
  }

  function editedDraft() {
    const draft = Object.assign({}, state.draft, { validation: null });
    for (const section of EDITABLE) draft[section] = byId("feld-" + section).value;
    return draft;
  }

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

  function recheck() {
    return busy(byId("pruefen"), async function () {
      const draft = editedDraft();
      const report = await (await call("POST", "/api/validate", draft)).json();
      state.draft = Object.assign(draft, { validation: report });
      renderFindings(report);
      announce("Erneut geprüft. " + summary(report));
    });
  }

  function save() {
    return busy(byId("speichern"), async function () {
      const draft = editedDraft();
      const url = "/api/drafts/" + encodeURIComponent(state.id);
      const saved = await (await call("PUT", url, draft)).json();
      state.draft = Object.assign(draft, { validation: saved.validation });
      renderFindings(saved.validation);
      announce("Als Fassung " + saved.version + " gespeichert. " + summary(saved.validation));
    });
  }

  let pendingExport = null;

  function exportAs(format, force) {
    const button = byId(format === "docx" ? "docx" : "markdown");
    return busy(button, async function () {
      byId("bestaetigung").hidden = true;
      const body = { draft: editedDraft(), format: format, force: Boolean(force) };
      let response;
      try {
        response = await call("POST", "/api/export", body);
      } catch (err) {
        if (err.status === 422 && !force) {
          askToForce(format, err.message);
          return;
        }
        throw err;
      }
      download(await response.blob(), fileName(response, format));
      announce("Die Datei wird heruntergeladen" + (force ? " (mit Prüfhinweisen)." : "."));
    });
  }

  function askToForce(format, message) {
    pendingExport = format;
    byId("bestaetigung-text").textContent = message;
    byId("bestaetigung").hidden = false;
    byId("trotzdem").focus();
  }

  function fileName(response, format) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : "entwurf." + (format === "docx" ? "docx" : "md");
  }

  function download(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = el("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  async function logout() {
    try {
      await call("POST", "/api/logout");
    } catch (err) {
      showError(err.message);
      return;
    }
    window.location.assign("/anmelden");
  }

  // --- wiring -----------------------------------------------------------------------------

  byId("anfrage").addEventListener("submit", startDraft);
  byId("abbrechen").addEventListener("click", cancel);
  byId("pruefen").addEventListener("click", recheck);
  byId("speichern").addEventListener("click", save);
  byId("docx").addEventListener("click", function () { exportAs("docx", false); });
  byId("markdown").addEventListener("click", function () { exportAs("md", false); });
  byId("trotzdem").addEventListener("click", function () { exportAs(pendingExport, true); });
  byId("nicht-exportieren").addEventListener("click", function () {
    byId("bestaetigung").hidden = true;
    byId(pendingExport === "docx" ? "docx" : "markdown").focus();
  });
  const logoutButton = byId("abmelden");
  if (logoutButton) logoutButton.addEventListener("click", logout);
  window.addEventListener("popstate", function () { window.location.reload(); });

  const named = byId("seite").dataset.entwurf;
  if (named) load(named);
})();
