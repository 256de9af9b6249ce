/* Summarising the archive (POST /api/summaries, a job in the background): shown only to a
   caller with the right to ingest. The job's progress comes as server-sent events
   (GET /api/summaries/{id}/events, EventSource: it reconnects by itself) and is shown in a
   progress bar and a polite live region; at the end the German result sentence and the link
   to the report. Drafts keep running meanwhile: the job takes turns with them at the model.
   On load (and when a start is refused because a job runs) the page asks for the newest job
   (GET /api/summaries?limit=1): a running one is shown and followed from its last event, a
   finished one's result sentence is shown. */
"use strict";
(function () {
  const S = window.Seite;
  const byId = S.byId;
  let source = null;
  let job = null;

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "";
    const m = Math.max(1, Math.round(seconds / 60));
    return ", noch etwa " + m + (m === 1 ? " Minute" : " Minuten");
  }

  function state(text) { byId("zusammenfassen-stand").textContent = text; }

  function progress(data) {
    const bar = byId("zusammenfassen-fortschritt");
    bar.max = Math.max(1, data.total || 1);
    bar.value = data.done;
    state(data.done + " von " + data.total + " Vorlagen bearbeitet: " + data.ok + " geprüft, " +
      data.befunde + " mit Befunden, " + data.failed + " fehlgeschlagen, " + data.skipped +
      " übersprungen" + minutes(data.eta_s) + ".");
  }

  function running() {
    byId("zusammenfassen").disabled = true;
    byId("zusammenfassen-fortschritt").hidden = false;
    byId("zusammenfassen-abbrechen").hidden = false;
  }

  function finish(text) {
    if (source) source.close();
    source = null;
    job = null;
    byId("zusammenfassen").disabled = false;
    byId("zusammenfassen-abbrechen").hidden = true;
    byId("zusammenfassen-fortschritt").hidden = true;
    state(text);
  }

  function follow(id, after) {
    job = id;
    const query = after ? "?after=" + encodeURIComponent(after) : "";
    source = new EventSource("/api/summaries/" + encodeURIComponent(id) + "/events" + query);
    source.addEventListener("progress", function (event) { progress(JSON.parse(event.data)); });
    for (const kind of ["done", "error", "cancelled", "interrupted"]) {
      source.addEventListener(kind, function (event) { finish(JSON.parse(event.data).message); });
    }
    source.addEventListener("error", function (event) {
      // a lost connection is retried by EventSource; a refused one (the job is gone) is closed
      if (!event.data && source && source.readyState === EventSource.CLOSED) {
        finish("Der Stand der Zusammenfassung ist nicht mehr abrufbar; bitte die Übersicht öffnen.");
      }
    });
  }

  async function start() {
    S.clearError();
    const button = byId("zusammenfassen");
    button.disabled = true;
    try {
      const started = await (await S.call("POST", "/api/summaries", {})).json();
      byId("zusammenfassen-fortschritt").value = 0;
      running();
      state("Das Archiv wird zusammengefasst …");
      follow(started.id);
    } catch (err) {
      button.disabled = false;
      S.showError(err.message);
      if (err.status === 409) reattach();  // started meanwhile elsewhere: show that one
    }
  }

  // "2026-11-30T14:05:00Z" as clerks read it: "30.11.2026, 14:05".
  function when(iso) {
    const at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    return at.toLocaleDateString("de-DE", { day: "2-digit", month: "2-digit", year: "numeric" }) +
      ", " + at.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }

  async function reattach() {
    if (job) return;
    let last;
    try {
      last = (await (await S.call("GET", "/api/summaries?limit=1")).json())[0];
    } catch (err) {
      return;  // the start button still works and says what is wrong
    }
    if (!last || job) return;
    if (last.status === "running" || last.status === "stopping") {
      running();
      if (last.total) progress(last); else state("Das Archiv wird zusammengefasst …");
      if (last.status === "stopping") {
        state("Wird abgebrochen, sobald die laufende Vorlage fertig ist …");
      }
      follow(last.id, last.events);
    } else if (last.message) {
      const ended = last.ended_at ? when(last.ended_at) : "";
      state("Letzter Lauf" + (ended ? " (" + ended + ")" : "") + ": " + last.message);
    }
  }

  async function cancel() {
    if (!job) return;
    try {
      await S.call("POST", "/api/summaries/" + encodeURIComponent(job) + "/cancel");
      state("Wird abgebrochen, sobald die laufende Vorlage fertig ist …");
    } catch (err) {
      S.showError(err.message);
    }
  }

  byId("zusammenfassen").addEventListener("click", start);
  byId("zusammenfassen-abbrechen").addEventListener("click", cancel);
  reattach();
})();
