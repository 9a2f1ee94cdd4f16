// Small enhancements; every page works without them.

import "./pwa.js";
import { _ } from "./words.js";

function detectTimezone() {
  for (const select of document.querySelectorAll('select[data-detect-timezone="on"]')) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((option) => option.value === zone)) {
      select.value = zone;
    }
  }
}

function enableCopy() {
  const status = document.querySelector("[data-copy-status]");
  const say = (words) => { if (status) status.textContent = words; };
  const sharing = document.querySelector("button[data-share]");
  const canShare = Boolean(sharing && navigator.share);
  if (canShare) {
    const source = document.querySelector(sharing.dataset.share);
    sharing.hidden = false;
    sharing.addEventListener("click", async () => {
      try {
        await navigator.share({
          title: sharing.dataset.shareTitle,
          text: sharing.dataset.shareText,
          url: source.value,
        });
        say(_("Shared."));
      } catch {
        // Closed without sharing: nothing to say.
      }
    });
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    // Copying is the way where the phone has no share sheet.
    if (!source || !navigator.clipboard || canShare) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.value);
      button.textContent = _("Copied");
      say(_("The link is copied. Paste it into a message to your partner."));
    });
  }
  for (const input of document.querySelectorAll("input[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
}

detectTimezone();
enableCopy();

if (document.querySelector("main .field-error")) {
  import("./form-errors.js");
}

if (document.querySelector("[data-apology-check], [data-i-statement], [data-quick-exit], [data-reconnect]")) {
  import("./repair.js");
}

if (document.querySelector("[data-passkeys], [data-passkey-login], [data-passkey-confirm]")) {
  import("./passkeys.js");
}

if (document.querySelector("[data-reminders]")) {
  import("./reminders.js");
}
