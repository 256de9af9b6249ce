/* Summarising the archive (POST /api/summaries, a job in the background): shown only to a
   caller with the right to ingest. The job's progress comes as server-sent events
   (GET /api/summaries/{id}/events, EventSource: it reconnects by itself) and is shown in a
   progress bar and a polite live region; at the end the German result sentence and the link
   to the report. Drafts keep running meanwhile: the job takes turns with them at the model. */
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

  function finish(text) {
    if (source) source.close();
    source = null;
    job = null;
    byId("zusammenfassen").disabled = false;
    byId("zusammenfassen-abbrechen").hidden = true;
    byId("zusammenfassen-fortschritt").hidden = true;
    state(text);
  }

  function follow(id) {
    job = id;
    source = new EventSource("/api/summaries/" + encodeURIComponent(id) + "/events");
    source.addEventListener("progress", function (event) { progress(JSON.parse(event.data)); });
    for (const kind of ["done", "error", "cancelled"]) {
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
      byId("zusammenfassen-fortschritt").hidden = false;
      byId("zusammenfassen-abbrechen").hidden = false;
      state("Das Archiv wird zusammengefasst …");
      follow(started.id);
    } catch (err) {
      button.disabled = false;
      S.showError(err.message);
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
})();
