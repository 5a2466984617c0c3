// Carelint playground: check a post against the local server and show what it found.
// User text is only ever rendered through textContent / text nodes, never as HTML.
// The page holds no secret: the browser's session cookie (set by the one-time login link)
// authenticates its same-origin calls.
"use strict";

(() => {
  const DEBOUNCE_MS = 350;
  const SEVERITY_RANK = { low: 1, medium: 2, high: 3 };

  // The page's own words follow the browser's language (playground-strings.js).
  const STRINGS = window.CARELINT_PLAYGROUND_STRINGS;
  const LANG = /^es\b/i.test(navigator.language || "") ? "es" : "en";
  function t(key, vars = {}) {
    const text = STRINGS[LANG][key] ?? STRINGS.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  }
  // `code` and **strong** in a string become elements; everything else stays text.
  function fillText(node, text) {
    node.replaceChildren(...text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).filter(Boolean).map((part) => {
      if (part.startsWith("`")) return el("code", "", part.slice(1, -1));
      if (part.startsWith("**")) return el("strong", "", part.slice(2, -2));
      return document.createTextNode(part);
    }));
  }
  function localise() {
    document.documentElement.lang = LANG;
    for (const node of document.querySelectorAll("[data-i18n]")) {
      if (node.tagName === "TITLE") document.title = t(node.dataset.i18n);
      else fillText(node, t(node.dataset.i18n));
    }
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
  }

  const $ = (id) => document.getElementById(id);
  const ui = {
    form: $("check-form"), text: $("post-text"), platform: $("platform"), reply: $("reply"), live: $("live"),
    counter: $("counter"), error: $("error"), preview: $("preview"), summary: $("summary"),
    findings: $("findings"), disclaimerStatus: $("disclaimer-status"), disclaimerText: $("disclaimer-text"),
    copy: $("copy"), copyStatus: $("copy-status"), pair: $("pair-extension"), pairStatus: $("pair-status"),
    pairHelp: $("pair-help"), fingerprint: $("pair-fingerprint"), undo: $("undo-fix"), fixStatus: $("fix-status"),
  };

  let timer = 0;
  let inflight = null; // AbortController of the request in flight: the latest check wins
  let last = null; // { text, platform, response } of the last successful check
  // Fixes applied without the browser's own undo (no execCommand): { before, caret } each.
  const undoStack = [];

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showError(message) {
    ui.error.textContent = message;
    ui.error.hidden = !message;
  }

  async function check() {
    clearTimeout(timer);
    const text = ui.text.value;
    const platform = ui.platform.value;
    inflight?.abort();
    if (!text) { reset(); return; }
    const controller = new AbortController();
    inflight = controller;
    try {
      const res = await fetch("/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        // A reply to a review: what it says about the reviewer's care is high, the safe reply
        // replaces it, and no disclaimer is asked for (docs/api.md, `context`).
        body: JSON.stringify({ text, platform, offset_unit: "utf16", context: ui.reply.checked ? "review_reply" : "post" }),
        signal: controller.signal,
      });
      const body = await res.json().catch(() => null);
      if (controller !== inflight) return;
      if (res.status === 401) {
        showError(t("error.signed_out"));
        return;
      }
      if (!res.ok) {
        const err = body?.error;
        showError(err ? `${err.message} (${err.code}, HTTP ${res.status})` : t("error.http", { status: res.status }));
        return;
      }
      showError("");
      last = { text, platform, response: body };
      render();
    } catch (e) {
      if (e.name === "AbortError") return;
      showError(t("error.unreachable"));
    } finally {
      if (controller === inflight) inflight = null;
    }
  }

  function scheduleCheck() {
    clearTimeout(timer);
    if (ui.live.checked) timer = setTimeout(check, DEBOUNCE_MS);
  }

  // --- Rendering -------------------------------------------------------------------------------

  function reset() {
    last = null;
    showError("");
    ui.preview.replaceChildren();
    ui.findings.replaceChildren();
    ui.summary.textContent = t("results.none_yet");
    ui.counter.textContent = "";
    ui.disclaimerStatus.textContent = "—";
    ui.disclaimerText.hidden = true;
    ui.copy.disabled = true;
  }

  function render() {
    const { text, response } = last;
    const findings = [...response.findings].sort((a, b) => a.start - b.start || b.end - a.end);
    renderPreview(text, findings);
    renderFindings(findings);
    renderCounter(response.platform);
    renderDisclaimer(response.disclaimer);
  }

  // Paint the findings behind the textarea's own text: split the text at every finding boundary,
  // each piece taking the highest severity covering it. While the text differs from what was
  // checked, the layer holds the text alone (marks would sit on the wrong words).
  function renderPreview(text, findings) {
    const current = ui.text.value;
    if (current !== text) findings = [];
    text = current;
    const cuts = new Set([0, text.length]);
    for (const f of findings) { cuts.add(f.start); cuts.add(f.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const nodes = [];
    for (let i = 0; i < points.length - 1; i++) {
      const [from, to] = [points[i], points[i + 1]];
      const piece = text.slice(from, to);
      const covering = findings.filter((f) => f.start <= from && to <= f.end);
      if (!covering.length) { nodes.push(document.createTextNode(piece)); continue; }
      const top = covering.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
      nodes.push(el("mark", `sev-${top.severity}`, piece));
    }
    // A final newline needs a character after it to take its line in the layer too.
    nodes.push(document.createTextNode("\u200b"));
    ui.preview.replaceChildren(...nodes);
    ui.preview.scrollTop = ui.text.scrollTop;
  }

  function renderFindings(findings) {
    const counts = { high: 0, medium: 0, low: 0 };
    for (const f of findings) counts[f.severity] += 1;
    ui.summary.textContent = findings.length
      ? t(findings.length === 1 ? "results.summary_one" : "results.summary", { n: findings.length, ...counts })
      : t("results.none");
    ui.findings.replaceChildren(...findings.map(findingItem));
  }

  // Words, not ids: "High risk" and "Patient information" (the rule id stays, in small print), in
  // the language of the finding's paragraph (the server's `lang`), like its message.
  const SEVERITY_WORDS = {
    en: { high: "High risk", medium: "Medium risk", low: "Suggestion" },
    es: { high: "Riesgo alto", medium: "Riesgo medio", low: "Sugerencia" },
  };
  const CATEGORY_WORDS = {
    en: { phi: "Patient information", claim: "Unsupported claim", advice: "Personal medical advice",
      tone: "Unprofessional tone", language: "Stigmatising language" },
    es: { phi: "Información del paciente", claim: "Afirmación sin respaldo", advice: "Consejo médico personal",
      tone: "Tono poco profesional", language: "Lenguaje estigmatizante" },
  };

  function findingItem(f) {
    const li = el("li", `finding sev-${f.severity}`);
    li.id = `finding-${f.id}`;
    li.tabIndex = -1;
    const head = el("p", "finding-head");
    const lang = SEVERITY_WORDS[f.lang] ? f.lang : "en";
    head.append(el("span", `badge sev-${f.severity}`, SEVERITY_WORDS[lang][f.severity] || f.severity), " ",
      el("span", "category", CATEGORY_WORDS[lang][f.category] || f.category), " ", el("q", "span-text", f.text));
    li.append(head, el("p", "message", f.message));
    const meta = el("p", "meta");
    meta.append(el("small", "rule-id", f.rule));
    const href = httpsUrl(f.source_url);
    if (f.source || href) {
      const cite = el("cite", "", f.source || new URL(href).hostname);
      if (href) {
        const link = el("a");
        Object.assign(link, { href, target: "_blank", rel: "noopener noreferrer" });
        link.append(cite);
        meta.append(` · ${t("finding.source")}`, link);
      } else meta.append(` · ${t("finding.source")}`, cite);
    }
    li.append(meta);
    if (Array.isArray(f.fixes)) {
      if (f.fixes.length) li.append(fixList(f));
    } else if (f.suggestions?.length) { // an older server: replacements of exactly the span
      const list = el("p", "suggestions");
      list.append(t("finding.replace_with"));
      for (const s of f.suggestions) {
        const button = el("button", "suggestion", s);
        button.type = "button";
        button.setAttribute("aria-label", t("finding.replace_aria", { text: f.text, with: s }));
        button.addEventListener("click", () => applySuggestion(f, s));
        list.append(button, " ");
      }
      li.append(list);
    }
    return li;
  }

  // One button per ranged fix (offsets in UTF-16 units, what this page asks for: JS indices).
  function fixList(f) {
    const list = el("p", "fixes");
    list.append(t("finding.fix"));
    for (const fix of f.fixes) {
      const button = el("button", "fix", fix.label);
      button.type = "button";
      const gone = last.text.slice(fix.start, fix.end);
      const described = fix.text
        ? (fix.label.includes(fix.text) ? fix.label : `${fix.label}: “${fix.text}”`)
        : t("finding.deletes", { label: fix.label, gone: gone.trim() });
      button.setAttribute("aria-label", described);
      button.title = described;
      button.addEventListener("click", () => applyFix(fix));
      list.append(button, " ");
    }
    return list;
  }

  function httpsUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      const u = new URL(value);
      return u.protocol === "https:" && u.hostname ? u.href : null;
    } catch { return null; }
  }

  function renderCounter(p) {
    const label = ui.platform.querySelector(`option[value="${p.name}"]`)?.text ?? p.name;
    ui.counter.textContent = t("counter", { length: p.length, limit: p.limit, remaining: p.remaining, platform: label });
    ui.counter.classList.toggle("over", p.remaining < 0);
  }

  function renderDisclaimer(d) {
    ui.disclaimerStatus.textContent = d.present
      ? t("disclaimer.present")
      : ui.reply.checked
        ? t("disclaimer.reply")
        : d.needed
        ? t("disclaimer.needed")
        : t("disclaimer.not_needed");
    ui.disclaimerStatus.className = d.needed ? "needed" : "";
    ui.disclaimerText.textContent = d.suggested || t("disclaimer.no_room");
    // The text and the button follow the status: a suggestion only where one is needed.
    ui.disclaimerText.hidden = ui.reply.checked || !d.needed;
    ui.copy.disabled = !d.suggested || !d.needed;
  }

  // --- Actions ---------------------------------------------------------------------------------

  // A fix edits the textarea through the browser's editing pipeline, so Ctrl+Z undoes it;
  // where that is unavailable, setRangeText and this page's own Undo button.
  function applyFix(fix) {
    if (!last || ui.text.value !== last.text) { // its offsets index the text that was checked
      ui.fixStatus.textContent = t("fix.stale");
      check();
      return;
    }
    ui.fixStatus.textContent = "";
    const { start, end, text } = fix;
    const before = ui.text.value;
    const expected = before.slice(0, start) + text + before.slice(end);
    ui.text.focus();
    ui.text.setSelectionRange(start, end);
    let done = false;
    try {
      done = text === "" ? document.execCommand("delete", false) : document.execCommand("insertText", false, text);
    } catch { done = false; }
    if (!done || ui.text.value !== expected) {
      if (ui.text.value !== before) ui.text.value = before; // a half-done native edit
      undoStack.push({ before, caret: end });
      ui.text.setRangeText(text, start, end, "end");
      showUndo();
    }
    ui.text.setSelectionRange(start + text.length, start + text.length);
    check();
  }

  function showUndo() {
    ui.undo.hidden = undoStack.length === 0;
  }

  function undoFix() {
    const step = undoStack.pop();
    showUndo();
    if (!step) return;
    ui.text.value = step.before;
    ui.text.focus();
    ui.text.setSelectionRange(step.caret, step.caret);
    check();
  }

  function applySuggestion(f, replacement) {
    if (!last || ui.text.value !== last.text) { check(); return; } // offsets are stale: re-check first
    const text = last.text;
    ui.text.value = text.slice(0, f.start) + replacement + text.slice(f.end);
    ui.text.focus();
    ui.text.setSelectionRange(f.start, f.start + replacement.length);
    check();
  }

  async function copyWithDisclaimer() {
    const suggested = last?.response.disclaimer.suggested;
    if (!suggested) return;
    // A disclaimer does not make a post with patient information or a false claim safe.
    const high = last.response.findings.filter((f) => f.severity === "high").length;
    if (high && !window.confirm(t(high === 1 ? "copy.confirm_one" : "copy.confirm", { n: high }))) {
      ui.copyStatus.textContent = t("copy.refused");
      return;
    }
    const combined = `${ui.text.value.replace(/\s+$/, "")}\n\n${suggested}`;
    let ok = false;
    try {
      await navigator.clipboard.writeText(combined);
      ok = true;
    } catch {
      ok = copyFallback(combined);
    }
    ui.copyStatus.textContent = ok ? t("copy.done") : t("copy.failed");
  }

  function copyFallback(value) {
    const scratch = el("textarea");
    scratch.value = value;
    scratch.setAttribute("readonly", "");
    scratch.className = "offscreen";
    document.body.append(scratch);
    scratch.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    scratch.remove();
    return ok;
  }

  // --- Extension pairing: the extension's content script marks the page and handles the click ---

  function updatePairing() {
    const { carelintExtension, carelintPaired } = document.documentElement.dataset;
    const present = carelintExtension === "present";
    ui.pair.disabled = !present;
    ui.pairHelp.hidden = present;
    if (carelintPaired === "yes") ui.pairStatus.textContent = t("pair.done");
    else if (present) ui.pairStatus.textContent = t("pair.present");
    else ui.pairStatus.textContent = t("pair.none");
  }

  ui.pair.addEventListener("click", () => {
    if (document.documentElement.dataset.carelintPaired !== "yes") ui.pairStatus.textContent = t("pair.pairing");
  });
  new MutationObserver(updatePairing).observe(document.documentElement, {
    attributes: true, attributeFilter: ["data-carelint-extension", "data-carelint-paired"],
  });

  async function showFingerprint() {
    try {
      const res = await fetch("/v1/pairing", { credentials: "same-origin" });
      if (res.ok) ui.fingerprint.textContent = (await res.json()).fingerprint;
    } catch { /* the check path reports an unreachable server */ }
  }

  ui.form.addEventListener("submit", (e) => { e.preventDefault(); check(); });
  ui.text.addEventListener("input", () => {
    ui.copyStatus.textContent = ""; ui.fixStatus.textContent = "";
    renderPreview(last?.text ?? "", last?.response.findings ?? []); // the layer follows the text at once
    scheduleCheck();
  });
  ui.text.addEventListener("scroll", () => { ui.preview.scrollTop = ui.text.scrollTop; });
  ui.platform.addEventListener("change", check);
  ui.reply.addEventListener("change", check);
  ui.copy.addEventListener("click", copyWithDisclaimer);
  ui.undo.addEventListener("click", undoFix);
  // Typing after a page-side fix makes its snapshot stale: the page's Undo no longer applies.
  ui.text.addEventListener("beforeinput", () => { undoStack.length = 0; showUndo(); });
  localise();
  updatePairing();
  showFingerprint();
})();
