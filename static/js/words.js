// The scripts' words in the page's language. The page carries them (a JSON block with
// the id "script-words", written by the server from the "js" catalogue) unless it is in
// English, which is what the scripts' own strings are. Mark every string a person reads
// with _(), pgettext() or ngettext() so that `make translations` finds it.

let words = null;

function catalogue() {
  if (words === null) {
    const block = document.getElementById("script-words");
    try {
      words = block ? JSON.parse(block.textContent) : {};
    } catch (_error) {
      words = {};
    }
  }
  return words;
}

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_whole, name) => String(values[name] ?? ""));
}

// _("Saved."), _("Sent to %(name)s.", { name })
export function _(text, values = {}) {
  const said = catalogue()[text];
  return fill(typeof said === "string" && said ? said : text, values);
}

// pgettext("a love language", "Language"): the same English said another way in a context.
export function pgettext(context, text, values = {}) {
  const said = catalogue()[`${context}\u0004${text}`];
  return fill(typeof said === "string" && said ? said : text, values);
}

// ngettext("%(num)s bid", "%(num)s bids", n): num is filled in with n.
export function ngettext(one, other, count, values = {}) {
  const forms = catalogue()[one];
  const lang = document.documentElement.lang || "en";
  const category = new Intl.PluralRules(lang).select(count);
  let text = count === 1 ? one : other;
  if (Array.isArray(forms) && forms.every(Boolean)) {
    text = category === "one" ? forms[0] : forms[forms.length - 1];
  }
  return fill(text, { num: count, ...values });
}
