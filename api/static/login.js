/* The login page: POST /api/login (form fields name, password), then the draft page.
   Errors of the API ({"detail": "..."}, German) are shown on the page. */
"use strict";
(function () {
  const form = document.getElementById("anmeldung");
  const box = document.getElementById("fehler");

  function show(text) {
    box.textContent = text;
    box.hidden = false;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    box.hidden = true;
    const name = form.elements.namedItem("name").value.trim();
    const password = form.elements.namedItem("password").value;
    if (!name || !password) {
      show("Bitte geben Sie Benutzername und Passwort ein.");
      return;
    }
    let response;
    try {
      response = await fetch("/api/login", {
        method: "POST",
        body: new URLSearchParams({ name: name, password: password }),
        credentials: "same-origin",
      });
    } catch (err) {
      show(window.Vorlagen.OFFLINE);
      return;
    }
    if (!response.ok) {
      show(await window.Vorlagen.detail(response));
      form.elements.namedItem("password").value = "";
      form.elements.namedItem("password").focus();
      return;
    }
    window.location.assign("/");
  });
})();
