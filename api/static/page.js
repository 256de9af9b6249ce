/* The clerks' draft page: a client of the HTTP API (docs/api.md, docs/web.md).

   Start:    POST /api/drafts/stream; its first event (queued) names the job, the address
             becomes /entwurf/<id>, and the page follows GET /api/drafts/<id>/events (an
             EventSource: it replays the job's events and resumes with Last-Event-ID).
   Reload:   /entwurf/<id> asks GET /api/drafts/<id>; a running job is followed again, a
             finished one is shown (its latest stored version).
   Finished: each section in a textarea; POST /api/validate, PUT /api/drafts/<id>,
             POST /api/export (with force only after the clerk confirmed).

   The finished draft: entwurf.js; the toolkit: seite.js.
   Everything from the server or from retrieved documents is inserted with textContent. */
"use strict";
(function () {
  const S = window.Seite;
  const E = window.Entwurf;
  const byId = S.byId, el = S.el, title = S.title, call = S.call, PageError = S.PageError;
  const announce = S.announce, showError = S.showError, clearError = S.clearError;
  const summary = S.summary, TEXTS = S.TEXTS;
  const STREAMED = ["beschlussvorschlag", "sachdarstellung"];
  const EVENTS = ["queued", "retrieval", "section_started", "token", "section_done",
    "validation", "done", "error", "cancelled"];
  const ENDED = ["done", "failed", "cancelled", "interrupted"];
  const NO_JOB = "Der Entwurf konnte nicht gestartet werden; bitte erneut versuchen.";

  const LOST = "Die Verbindung zum Entwurf ist abgebrochen; bitte laden Sie die Seite neu.";
  const MAX_REATTACH = 3;

  const state = { id: null, source: null, started: {}, done: {}, closed: 0 };

  // The first event of POST /api/drafts/stream (queued) names the job.
  async function firstJobId(response) {
    let id = null;
    await S.readEvents(response, function (kind, data) {
      if (data && typeof data.id === "string") id = data.id;
      else if (data && data.message) throw new PageError(data.message);
      return id !== null;
    });
    return id;
  }

  async function startDraft(event) {
    event.preventDefault();
    clearError();
    if (!window.Anfrage.check()) return;
    const button = byId("schreiben");
    button.disabled = true;
    announce(TEXTS.searching);
    try {
      const response = await call("POST", "/api/drafts/stream", window.Anfrage.read(), "text/event-stream");
      const id = await firstJobId(response);
      if (!id) throw new PageError(NO_JOB);
      history.pushState({ entwurf: id }, "", "/entwurf/" + encodeURIComponent(id));
      window.MeineEntwuerfe.refresh();
      follow(id);
      byId("lauf-titel").focus(); // the pressed button is disabled now: go on at the draft
    } catch (err) {
      button.disabled = false;
      announce("");
      showError(err.message || NO_JOB);
    }
  }

  // --- following a job --------------------------------------------------------------------

  function resetRun() {
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
    E.renderFindings(null);
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
        state.closed += 1;
        if (state.closed > MAX_REATTACH) ended(LOST);
        else load(id); // the job is no longer followable: show what the server has
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
      E.renderSources(data.citations);
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
      E.renderFindings(data.report);
      announce(summary(data.report));
    },
    done: function (data) {
      stopFollowing();
      showDraft(data.draft);
      announce("Der Entwurf ist fertig. " + summary(data.draft.validation));
      window.MeineEntwuerfe.refresh();
    },
    error: function (data) { endedKeepingVersions(data.message); },
    cancelled: function (data) { endedKeepingVersions(data.message); },
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

  // A section written again that failed or was cancelled: the latest stored version stays.
  async function endedKeepingVersions(message) {
    ended(message);
    const draft = await latestVersion(state.id, null);
    if (draft) showDraft(draft);
  }

  function showDraft(draft) {
    finishButtons();
    E.show(state.id, draft);
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
    const draft = await latestVersion(id, job.draft);
    if (job.status !== "done" || !draft) {
      if (draft) showDraft(draft); // a revision that failed: the earlier version stays
      ended(job.error || "Dieser Entwurf wurde nicht fertig; bitte erneut starten.");
      return;
    }
    showDraft(draft);
    announce("Der Entwurf ist fertig. " + summary(draft.validation));
  }

  async function latestVersion(id, fallback) {
    try {
      const versions = await (await call("GET", "/api/drafts/" + encodeURIComponent(id) + "/versions")).json();
      return versions.length ? versions[versions.length - 1].draft : fallback;
    } catch (err) {
      return fallback;
    }
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

  E.hooks.follow = follow;
  byId("anfrage").addEventListener("submit", startDraft);
  byId("abbrechen").addEventListener("click", cancel);
  const logoutButton = byId("abmelden");
  if (logoutButton) logoutButton.addEventListener("click", logout);
  window.addEventListener("popstate", function () { window.location.reload(); });

  const named = byId("seite").dataset.entwurf;
  if (named) load(named);
})();
