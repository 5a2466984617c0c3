// @ts-check
// One Session per composer: reads the text through its adapter, asks the service worker
// for a check (debounced, one request in flight, latest wins), keeps findings in step with
// edits while a check is in flight, and hands ranges to the highlighter. It only talks to
// the editor through the adapter's functions.
(() => {
  const C = globalThis.Carelint;
  // The pause before a check: the full one only inside a burst of typing in the middle of a
  // word (more keys are coming); a word just finished, or a key after a quiet moment, is
  // checked almost at once (keystroke to highlight, measured by bench/extension_latency.py).
  const DEBOUNCE_MS = 120;
  const QUICK_MS = 25;
  const BURST_GAP_MS = 250;
  const CACHE_SIZE = 32;
  const { el } = C.ui;

  /** @param {Carelint.Finding} f */
  const keyOf = (f) => `${f.rule || f.category}\u0000${f.text}`;
  /** @param {string} text */
  const folded = (text) => text.trim().toLowerCase();
  // The personal "Always ignore" list (chrome.storage.local, see C.STORAGE_DEFAULTS).
  /** @param {Carelint.Finding} f */
  const alwaysIgnored = (f) => {
    const list = C.settings.ignoredTexts;
    return Array.isArray(list) && list.some((t) => typeof t === "string" && folded(t) === folded(f.text));
  };
  const CHANGED_NOTE = "The text changed since it was checked; try again in a moment.";

  class Chip {
    /** @param {Carelint.Session} session */
    constructor(session) {
      this.session = session;
      // The status opens the issues panel (every finding of this post, fix all, dismiss all).
      this.status = el("button", {
        type: "button",
        class: "status",
        "aria-live": "polite",
        "aria-haspopup": "dialog",
        "data-carelint-status": "",
        onclick: () => (session.status === "unpaired" ? C.send({ type: C.MSG.OPEN_WELCOME }) : C.panel.show(session)),
      });
      this.button = el("button", {
        type: "button",
        class: "add-disclaimer",
        "data-carelint-disclaimer": "",
        text: "+ Disclaimer",
        onclick: async () => {
          const r = await session.appendDisclaimer();
          if (!r.ok) this.button.title = r.reason || "";
        },
      });
      this.box = el("div", { class: "chip", "data-carelint-chip": session.site.platform, "data-carelint-context": session.context }, this.status, this.button);
      // In the tab order right after the composer (it lives outside the page, at the end of the
      // document): Tab from the last control goes on to what follows the composer (Post), and
      // Shift+Tab from the first goes back to the composer.
      this.box.addEventListener("keydown", (e) => {
        if (e.key !== "Tab" || e.altKey || e.ctrlKey || e.metaKey) return;
        const controls = this.controls();
        const at = controls.indexOf(/** @type {HTMLElement} */ (C.ui.root.activeElement));
        if (e.shiftKey && at === 0) {
          e.preventDefault();
          session.adapter.focus();
        } else if (!e.shiftKey && at === controls.length - 1) {
          const next = C.dom.nextTabbable(session.adapter.el);
          if (next) {
            e.preventDefault();
            next.focus();
          }
        }
      });
      this.box.hidden = true;
      C.ui.layer.append(this.box);
      this.place = this.place.bind(this);
      window.addEventListener("scroll", this.place, { capture: true, passive: true });
      window.addEventListener("resize", this.place, { passive: true });
    }

    /** The chip's visible controls, in order. @returns {HTMLElement[]} */
    controls() {
      return this.box.hidden ? [] : [this.status, this.button].filter((b) => !b.hidden);
    }

    update() {
      const s = this.session;
      const visible = s.visibleFindings();
      const highs = visible.filter((f) => f.severity === "high").length;
      let text;
      if (s.status === "unknown") text = "Carelint: checking…";
      else if (visible.length) text = `${visible.length} issue${visible.length === 1 ? "" : "s"}`;
      else text = "No issues";
      if (s.status === "unpaired") {
        text = C.statusText("unpaired"); // a click opens the welcome page (set-up), not the panel
      } else if (s.offline) {
        const why = s.status === "unauthorized" ? "wrong token" : "server offline";
        const kept = s.findings.some((f) => f.stale) ? " (last server check kept)" : "";
        text = `⚠ Offline check (${why}) · ${text}${kept}`;
      }
      this.status.textContent = text;
      this.status.dataset.level = highs ? "high" : visible.length ? "medium" : "ok";
      this.status.dataset.offline = String(!!s.offline);
      this.status.dataset.state = s.status;
      // The platform the text was last checked for (a scheduler's follows its networks).
      this.box.dataset.platform = (s.meta && s.meta.platform && s.meta.platform.name) || "";
      const d = s.meta && s.meta.disclaimer;
      const text_ = s.shownText || "";
      this.button.hidden = !(d && d.suggested && !d.present && text_.trim() && !text_.includes(d.suggested.trim()));
      this.button.title = d && d.suggested ? `Append: ${d.suggested}` : "";
      this.button.dataset.needed = String(!!(d && d.needed));
      this.place();
    }

    // Outside the field, so it never covers what the user types: to its right at its bottom
    // line, else to its left, else above it, else below it (the first that fits on screen).
    place() {
      const r = this.session.adapter.rect();
      const show = this.session.adapter.el.isConnected && r.width > 0 && r.height > 0;
      this.box.hidden = !show;
      if (!show) return;
      const w = this.box.offsetWidth;
      const h = this.box.offsetHeight;
      const gap = 6;
      const spots = [
        { left: r.right + gap, top: r.bottom - h },
        { left: r.left - w - gap, top: r.bottom - h },
        { left: r.right - w, top: r.top - h - gap },
        { left: r.right - w, top: r.bottom + gap },
      ];
      const fits = (/** @type {{left: number, top: number}} */ s) =>
        s.left >= 0 && s.top >= 0 && s.left + w <= window.innerWidth && s.top + h <= window.innerHeight;
      const spot = spots.find(fits) || spots[3];
      this.box.style.left = `${Math.max(0, Math.min(spot.left, window.innerWidth - w))}px`;
      this.box.style.top = `${Math.max(0, spot.top)}px`;
    }

    destroy() {
      window.removeEventListener("scroll", this.place, { capture: true });
      window.removeEventListener("resize", this.place);
      this.box.remove();
    }
  }

  // While the server is unreachable: ask for its health (no post text) with back-off, at most
  // every 2 s, and check every composer again as soon as it answers.
  /** @type {ReturnType<typeof setTimeout> | null} */
  let reconnectTimer = null;
  function reconnectWhenBack(delay = 250) {
    if (reconnectTimer !== null) return;
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = null;
      if (![...C.sessions.values()].some((s) => s.offline)) return;
      /** @type {Carelint.Status} */
      let status = "offline";
      try {
        status = (await C.send({ type: C.MSG.STATUS })).status;
      } catch {
        status = "offline";
      }
      if (status === "connected") {
        for (const s of C.sessions.values()) if (s.offline) s.schedule(0);
      } else reconnectWhenBack(Math.min(delay * 2, 2000));
    }, delay);
  }

  /** @implements {Carelint.Session} */
  class Session {
    /** @param {Carelint.Site} site @param {Carelint.Adapter} adapter @param {Carelint.EditorSpec} [spec] */
    constructor(site, adapter, spec) {
      this.site = site;
      this.adapter = adapter;
      this.spec = spec || null;
      this.lastEditAt = 0;
      /** @type {{text: string, caret: number | null} | null} */
      this.caretAtCard = null;
      // A reply to a review (the server's `context`): set by the site or by this editor's entry.
      /** @type {Carelint.CheckContextName} */
      this.context = C.contextFor(site, spec);
      /** @type {Carelint.Finding[]} positions refer to shownText */
      this.findings = [];
      /** @type {string | null} */
      this.shownText = null;
      /** @type {string | null} the text the applied result was computed for */
      this.checkedText = null;
      /** @type {Carelint.SessionMeta | null} */
      this.meta = null;
      /** @type {Carelint.Status} */
      this.status = "unknown";
      this.offline = false;
      /** @type {Set<string>} */
      this.ignored = new Set();
      /** @type {Map<string, Carelint.CheckResponse>} text -> service worker response (latest CACHE_SIZE) */
      this.cache = new Map();
      this.seq = 0;
      this.appliedSeq = 0;
      /** @type {Promise<void> | null} */
      this.inFlight = null;
      this.rerun = false;
      /** @type {ReturnType<typeof setTimeout> | null} */
      this.timer = null;
      this.renderQueued = false;
      this.chip = new Chip(this);
      adapter.onChange(() => this.onEdit());
      this.shownText = adapter.readText();
      this.schedule(0);
    }

    onEdit() {
      const text = this.adapter.readText();
      if (text !== this.shownText) {
        // Shift what we know onto the new text at once (no flicker), drop what the edit
        // touched, and ask again.
        this.findings = this.shownText === null ? [] : C.shiftFindings(this.findings, this.shownText, text);
        this.shownText = text;
        const now = performance.now();
        const inBurst = now - this.lastEditAt < BURST_GAP_MS;
        this.lastEditAt = now;
        const caret = this.adapter.caret();
        const boundary = caret !== null && caret > 0 && /[\s.,;:!?)\]"'”’]/.test(text[caret - 1] || "");
        this.schedule(inBurst && !boundary ? DEBOUNCE_MS : QUICK_MS);
      }
      this.queueRender(); // the editor may have re-rendered: rebuild ranges either way
    }

    schedule(delay = DEBOUNCE_MS) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.run();
      }, delay);
    }

    pending() {
      return this.timer !== null || this.inFlight !== null || this.adapter.readText() !== this.checkedText;
    }

    // Run now and resolve once the result for the current text is applied.
    async flush() {
      for (let i = 0; i < 5 && this.pending(); i++) {
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = null;
        await (this.inFlight || this.run());
      }
    }

    /** @returns {Promise<void>} */
    run() {
      if (this.inFlight) {
        this.rerun = true;
        return this.inFlight;
      }
      const text = this.adapter.readText();
      const seq = ++this.seq;
      // A scheduler's composer changes platform when the user picks another network.
      const platform = C.platformFor(this.site, this.adapter.el);
      const key = `${platform}\u0000${text}`;
      const cached = this.cache.get(key);
      /** @type {Promise<Carelint.CheckResponse>} */
      const request = cached ? Promise.resolve(cached) : C.send({ type: C.MSG.CHECK, text, platform, context: this.context });
      const inFlight = request
        .then((resp) => {
          if (resp && !cached && !resp.offline) this.remember(key, resp);
          this.apply(resp, text, seq);
        })
        .catch(() => {})
        .finally(() => {
          this.inFlight = null;
          if (this.rerun || (this.adapter.readText() !== this.checkedText && this.timer === null)) {
            this.rerun = false;
            this.schedule(0);
          }
        });
      this.inFlight = inFlight;
      return inFlight;
    }

    /** @param {string} key platform and text @param {Carelint.CheckResponse} resp */
    remember(key, resp) {
      this.cache.delete(key);
      this.cache.set(key, resp);
      const oldest = this.cache.keys().next();
      if (this.cache.size > CACHE_SIZE && !oldest.done) this.cache.delete(oldest.value);
    }

    /** @param {Carelint.CheckResponse | undefined} resp @param {string} text @param {number} seq */
    apply(resp, text, seq) {
      // Responses that arrive out of order never paint: only the newest request counts,
      // and its spans are moved onto the current text (or dropped if the edit touched them).
      if (!resp || seq < this.appliedSeq) return;
      this.appliedSeq = seq;
      this.checkedText = text;
      this.status = resp.status;
      this.offline = !!resp.offline;
      /** @type {Partial<Carelint.CheckResult>} */
      const result = resp.result || {};
      /** @type {Carelint.Finding[]} */
      let valid = (result.findings || [])
        .filter((f) => Number.isInteger(f.start) && Number.isInteger(f.end) && text.slice(f.start, f.end) === f.text)
        .map((f) => ({ ...f, checked: text })); // the fixes' offsets index this text
      if (this.offline) {
        // The server went away: its last findings stay (marked stale, counted by the guard)
        // as long as the text under them is unchanged; the built-in patterns add to them.
        const kept = C.shiftFindings(this.findings.filter((f) => !f.offline), this.shownText || "", text).map((f) => ({ ...f, stale: true }));
        const overlaps = (/** @type {Carelint.Finding} */ a) => kept.some((k) => a.start < k.end && k.start < a.end);
        valid = [...kept, ...valid.filter((f) => !overlaps(f))].sort((a, b) => a.start - b.start);
        reconnectWhenBack();
      }
      const now = this.adapter.readText();
      this.findings = C.shiftFindings(valid, text, now);
      this.shownText = now;
      this.meta = { disclaimer: result.disclaimer || null, platform: result.platform || null, checkedLength: text.length };
      this.queueRender();
      C.reportCount();
    }

    visibleFindings() {
      const min = C.SEVERITY_RANK[C.settings.minSeverity] || 1;
      return this.findings.filter((f) => !this.isIgnored(f) && (C.SEVERITY_RANK[f.severity] || 0) >= min);
    }

    highFindings() {
      return this.findings.filter((f) => f.severity === "high" && !this.isIgnored(f));
    }

    /** @param {Carelint.Finding} f */
    isIgnored(f) {
      return this.ignored.has(keyOf(f)) || alwaysIgnored(f);
    }

    queueRender() {
      if (this.renderQueued) return;
      this.renderQueued = true;
      requestAnimationFrame(() => {
        this.renderQueued = false;
        this.render();
      });
    }

    render() {
      if (!this.adapter.el.isConnected) return;
      const text = this.adapter.readText();
      if (text !== this.shownText) return this.onEdit();
      const entries = [];
      for (const f of this.visibleFindings()) {
        if (text.slice(f.start, f.end) !== f.text) continue;
        entries.push({ severity: f.severity, finding: f, range: this.adapter.rangeFor(f.start, f.end) });
      }
      C.highlighter.set(this, entries);
      this.chip.update();
      document.documentElement.dataset.carelintState = this.status;
    }

    /** @param {number} offset */
    findingAt(offset) {
      return this.visibleFindings().find((f) => f.start <= offset && offset <= f.end) || null;
    }

    /** @param {Carelint.Finding} finding */
    rectOf(finding) {
      const rects = this.adapter.rangeFor(finding.start, finding.end).getClientRects();
      return rects[0] || this.adapter.rect();
    }

    // Keyboard path to the card: the finding at the caret, or the first one.
    openCardAtCaret() {
      const caret = this.adapter.caret();
      const f = (caret !== null && this.findingAt(caret)) || this.visibleFindings()[0];
      if (f) C.card.show(this, f, this.rectOf(f), { focus: true });
    }

    // The next finding after the caret (then the first again): the "next issue" shortcut.
    openNextIssue() {
      const caret = this.adapter.caret() ?? -1;
      const shown = C.card.current;
      const after = shown && shown.session === this ? shown.finding.start : caret;
      const list = this.visibleFindings();
      const f = list.find((g) => g.start > after) || list[0];
      if (f) C.card.show(this, f, this.rectOf(f), { focus: true });
    }

    /** @param {Carelint.Finding} finding */
    review(finding) {
      this.adapter.focus();
      C.card.show(this, finding, this.rectOf(finding), { focus: true });
    }

    /** @param {Carelint.Finding} finding @param {string} replacement */
    async applySuggestion(finding, replacement) {
      await this.adapter.settle();
      const text = this.adapter.readText();
      const f = this.findings.find((g) => g.id === finding.id && g.text === finding.text) || finding;
      if (text.slice(f.start, f.end) !== f.text) return false;
      const ok = await this.adapter.replace(f.start, f.end, replacement);
      this.schedule(0);
      return ok;
    }

    /**
     * Apply one of the server's ranged fixes. Its offsets index the text that was checked, so
     * it is only applied where that range still reads the same now (moved by edits before it,
     * never through them); otherwise nothing changes and the post is checked again.
     * @param {Carelint.Finding} finding @param {Carelint.Fix} fix
     * @returns {Promise<{ok: boolean, reason?: string}>}
     */
    async applyFix(finding, fix) {
      await this.adapter.settle();
      const now = this.adapter.readText();
      // `fix` belongs to the card's finding, so its offsets index that finding's checked text.
      const basis = finding.checked;
      const start = basis === undefined ? null : C.rangeNow(basis, now, fix.start, fix.end);
      if (start === null) {
        this.schedule(0);
        return { ok: false, reason: CHANGED_NOTE };
      }
      const end = start + (fix.end - fix.start);
      const expected = now.slice(0, start) + fix.text + now.slice(end);
      // The caret as it was when the card opened (clicking the card may move it), if the text
      // has not changed since.
      const snap = this.caretAtCard;
      await this.adapter.replace(start, end, fix.text, snap && snap.text === now && snap.caret !== null ? snap.caret : undefined);
      this.schedule(0);
      // Judge by the text itself: an editor may refuse the edit, or take it only in part.
      const after = this.adapter.readText();
      if (after === expected) return { ok: true };
      if (after === now) return { ok: false, reason: "The editor did not accept the change; nothing was modified." };
      return { ok: false, reason: "The editor applied the fix differently; Ctrl+Z undoes it." };
    }

    // Called as a card opens for this composer: the user's caret before the card takes any focus.
    noteCaret() {
      this.caretAtCard = { text: this.adapter.readText(), caret: this.adapter.caret() };
    }

    /** @param {Carelint.Finding} finding */
    ignore(finding) {
      this.ignored.add(keyOf(finding));
      this.queueRender();
      C.reportCount();
    }

    // "Always ignore": this text, any case, on every site, until removed on the options page.
    /** @param {Carelint.Finding} finding */
    async alwaysIgnore(finding) {
      const text = finding.text.trim();
      const add = (/** @type {string[]} */ list) => (list.some((t) => folded(t) === folded(text)) ? list : [...list, text]);
      C.settings.ignoredTexts = add(Array.isArray(C.settings.ignoredTexts) ? C.settings.ignoredTexts : []); // hide it now
      for (const s of C.sessions.values()) s.queueRender();
      this.queueRender();
      C.reportCount();
      try {
        const stored = await chrome.storage.local.get("ignoredTexts");
        const list = Array.isArray(stored.ignoredTexts) ? stored.ignoredTexts : [];
        await chrome.storage.local.set({ ignoredTexts: add(list) });
      } catch (e) {
        return { ok: false, error: String((e && /** @type {Error} */ (e).message) || e) };
      }
      return { ok: true };
    }

    /** @param {Carelint.Finding} finding */
    async allowlist(finding) {
      try {
        await C.send({ type: C.MSG.ALLOWLIST_ADD, text: finding.text });
      } catch (e) {
        return { ok: false, error: String((e && /** @type {Error} */ (e).message) || e) };
      }
      for (const s of C.sessions.values()) {
        s.cache.clear();
        s.schedule(0);
      }
      return { ok: true };
    }

    // Append the suggested disclaimer on its own line, once, if it fits the platform.
    async appendDisclaimer() {
      const meta = this.meta; // the check the disclaimer and the room left come from
      const d = meta && meta.disclaimer;
      if (!meta || !d || !d.suggested) return { ok: false, reason: "No disclaimer available yet." };
      await this.adapter.settle();
      const text = this.adapter.readText();
      if (d.present || text.includes(d.suggested.trim())) return { ok: true, already: true };
      const insert = (text === "" || text.endsWith("\n") ? "" : "\n") + d.suggested;
      const p = meta.platform;
      if (p && typeof p.remaining === "number" && Number.isFinite(p.remaining)) {
        const remaining = p.remaining - (text.length - meta.checkedLength);
        if ([...insert].length > remaining) return { ok: false, reason: `Not enough room: ${Math.max(0, remaining)} characters left.` };
      }
      const ok = await this.adapter.replace(text.length, text.length, insert);
      this.schedule(0);
      return ok ? { ok: true } : { ok: false, reason: "The editor did not accept the disclaimer." };
    }

    destroy() {
      if (this.timer !== null) clearTimeout(this.timer);
      C.highlighter.clear(this);
      this.chip.destroy();
      this.adapter.destroy();
      if (C.card.current && C.card.current.session === this) C.card.hide(false);
    }
  }

  C.Session = Session;
})();
