// Passkeys: log in with one, add one to the account, confirm an export or a deletion with
// one. Every ceremony asks the API for options, hands them to the browser, and sends the
// browser's answer back (see couples/api/passkeys.py). Where the browser cannot make or
// use passkeys, none of this is shown and the password does everything.

import { csrfToken } from "./pwa.js";
import { _ } from "./words.js";

const supported = Boolean(
  window.isSecureContext
  && window.PublicKeyCredential
  && PublicKeyCredential.parseCreationOptionsFromJSON
  && PublicKeyCredential.parseRequestOptionsFromJSON,
);

function say(root, text, tone = "") {
  const status = root.querySelector("[data-status]");
  if (!status) return;
  status.className = `status ${tone}`.trim();
  status.textContent = text;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRF-Token": await csrfToken(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const fields = answer.errors ? Object.values(answer.errors).flat() : [];
    throw new Error(fields[0] || answer.detail || _("That did not work. Try again."));
  }
  return answer;
}

// What to say when the browser's own dialog ends without a passkey.
function browserRefusal(error) {
  if (error.name === "NotAllowedError" || error.name === "AbortError") {
    return _("No passkey was used. Try again when you are ready.");
  }
  if (error.name === "InvalidStateError") {
    return _("This device already keeps a passkey for your account.");
  }
  return null;
}

async function withPasskey(root, button, work) {
  button.disabled = true;
  say(root, _("Waiting for your device…"));
  try {
    await work();
  } catch (error) {
    say(root, browserRefusal(error) || error.message, "problem");
  } finally {
    button.disabled = false;
  }
}

function enableLogin(root) {
  const button = root.querySelector('[data-action="passkey-login"]');
  root.hidden = false;
  button.addEventListener("click", () => withPasskey(root, button, async () => {
    const options = await post("/api/v1/auth/passkey/options");
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    const remember = document.getElementById("remember");
    await post("/api/v1/auth/passkey", {
      credential: credential.toJSON(),
      remember: Boolean(remember && remember.checked),
    });
    say(root, _("You are logged in."), "done");
    // The server checked it already; only a page of this site, whatever it says.
    const next = new URL(root.dataset.next || "/", window.location.origin);
    window.location.assign(next.origin === window.location.origin ? next.href : "/");
  }));
}

function enableAdding(root) {
  const form = root.querySelector("[data-passkey-add]");
  const note = root.querySelector("[data-passkey-unsupported]");
  if (note) note.hidden = true;
  form.hidden = false;
  const button = form.querySelector('button[type="submit"]');
  const name = form.querySelector('input[name="passkey_name"]');
  const password = form.querySelector('input[name="passkey_password"]');
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!name.value.trim()) {
      say(root, _("Give it a name first, like “My phone”."), "problem");
      name.focus();
      return;
    }
    if (!password.value) {
      say(root, _("Type your password first: it confirms it is you adding a way in."), "problem");
      password.focus();
      return;
    }
    withPasskey(root, button, async () => {
      const options = await post("/api/v1/me/passkey-options/register", {
        password: password.value,
      });
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
      await post("/api/v1/me/passkeys", { name: name.value, credential: credential.toJSON() });
      say(root, _("Your passkey is added."), "done");
      window.location.assign("/account"); // the list, with the new one in it
    });
  });
}

function enableConfirming(form) {
  const offer = form.querySelector(".passkey-instead");
  const button = form.querySelector('[data-action="passkey-confirm"]');
  offer.hidden = false;
  button.addEventListener("click", () => withPasskey(form, button, async () => {
    const options = await post("/api/v1/me/passkey-options/confirm");
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    const answer = form.querySelector('input[name="passkey"]');
    answer.value = JSON.stringify(credential.toJSON());
    answer.disabled = false;
    form.querySelector('input[name="password"]').disabled = true;
    say(form, "");
    form.submit();
    // A download leaves this page in place: make it ready for another go.
    setTimeout(() => {
      answer.disabled = true;
      answer.value = "";
      form.querySelector('input[name="password"]').disabled = false;
    }, 1000);
  }));
}

if (supported) {
  for (const root of document.querySelectorAll("[data-passkey-login]")) enableLogin(root);
  for (const root of document.querySelectorAll("[data-passkeys]")) enableAdding(root);
  for (const form of document.querySelectorAll("form[data-passkey-confirm]")) enableConfirming(form);
}
