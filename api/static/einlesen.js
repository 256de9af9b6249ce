/* Uploading Vorlagen into the index (POST /api/ingest, multipart field "files"): shown only to
   a caller with the right to ingest. The upload's progress is shown; the answer counts the
   outcomes and names each file that failed with its German reason. */
"use strict";
(function () {
  const S = window.Seite;
  const byId = S.byId, el = S.el;

  function send(files, token) {
    return new Promise(function (resolve, reject) {
      const body = new FormData();
      for (const file of files) body.append("files", file, file.name);
      const request = new XMLHttpRequest();
      request.open("POST", "/api/ingest");
      if (token) request.setRequestHeader("X-CSRF-Token", token);
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) byId("hochladen").value = Math.round((100 * event.loaded) / event.total);
      });
      request.upload.addEventListener("load", function () {
        byId("hochladen").value = 100;
        S.announce("Hochgeladen; die Vorlagen werden eingelesen …");
      });
      request.addEventListener("load", function () { resolve(request); });
      request.addEventListener("error", function () { reject(new S.PageError(window.Vorlagen.OFFLINE)); });
      request.send(body);
    });
  }

  function answer(request) {
    let body = null;
    try { body = JSON.parse(request.responseText); } catch (ignored) { /* not JSON */ }
    if (request.status === 200 && body) return body;
    const text = body && typeof body.detail === "string"
      ? body.detail
      : "Der Server hat mit dem Fehler " + request.status + " geantwortet; bitte später erneut versuchen.";
    throw new S.PageError(text, request.status);
  }

  function show(result) {
    const box = byId("einlesen-ergebnis");
    box.replaceChildren();
    const counts = result.files + (result.files === 1 ? " Datei" : " Dateien") + ": " +
      result.new + " neu aufgenommen, " + result.updated + " aktualisiert, " +
      result.unchanged + " unverändert, " + result.duplicates + " doppelt, " +
      result.failed.length + " nicht eingelesen" +
      (result.incomplete && result.incomplete.length ? ", " + result.incomplete.length + " unvollständig." : ".");
    box.append(el("p", "antwort-titel", counts));
    if (result.failed.length) {
      const list = el("ul");
      for (const failed of result.failed) list.append(el("li", null, failed.file + ": " + failed.reason));
      box.append(list);
    }
    if (result.incomplete && result.incomplete.length) {
      const list = el("ul");
      for (const item of result.incomplete) list.append(el("li", null, "Unvollständig: " + item.file + ": " + item.reason));
      box.append(list);
    }
    box.hidden = false;
    S.announce("Eingelesen. " + counts);
  }

  async function upload(event) {
    event.preventDefault();
    S.clearError();
    const files = byId("dateien").files;
    if (!files.length) {
      S.showError("Bitte wählen Sie mindestens eine Datei aus.");
      byId("dateien").focus();
      return;
    }
    const button = byId("einlesen-knopf");
    button.disabled = true;
    byId("hochladen").value = 0;
    byId("hochladen").hidden = false;
    try {
      show(answer(await send(files, await S.csrfToken())));
    } catch (err) {
      S.showError(err.message);
    } finally {
      button.disabled = false;
      byId("hochladen").hidden = true;
    }
  }

  byId("einlesen").addEventListener("submit", upload);
})();
