// @ts-check
// The shared core of the contenteditable adapters (Draft.js, Lexical, Quill, ProseMirror,
// plain contenteditable). A family only says how to find its root and which insertion
// method its editor accepts; everything goes through the browser's editing pipeline so
// the editor's own model, undo stack and the platform's counter stay in step. The DOM is
// never written directly.
(() => {
  const C = globalThis.Carelint;
  const { dom } = C;
  C.adapters = C.adapters || {};

  /** @param {HTMLElement} el @param {string} text */
  function pasteText(el, text) {
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const sel = dom.selectionFor(el);
    const anchor = sel && sel.anchorNode && el.contains(sel.anchorNode) ? sel.anchorNode : el;
    const target = anchor instanceof Element ? anchor : anchor.parentElement || el;
    // Firefox ignores `clipboardData` here (a script's paste would carry nothing) and fills the
    // event's own DataTransfer from its legacy `dataType`/`data` members, which Chromium ignores.
    // (Firefox only: given them, Chromium's Lexical paste did not replace a whole reply.)
    const gecko = /\bFirefox\//.test(navigator.userAgent);
    const init = /** @type {ClipboardEventInit} */ ({
      clipboardData: data,
      ...(gecko ? { dataType: "text/plain", data: text } : {}),
      bubbles: true,
      cancelable: true,
      composed: true,
    });
    const event = new ClipboardEvent("paste", init);
    target.dispatchEvent(event);
    return event.defaultPrevented; // the editor took it
  }

  /** @param {string} text */
  function execInsert(text) {
    return text === "" ? document.execCommand("delete", false) : document.execCommand("insertText", false, text);
  }

  /** @type {Record<Carelint.InsertMethod, (el: HTMLElement, text: string) => boolean>} */
  const METHODS = { paste: pasteText, insertText: (_el, text) => execInsert(text) };

  // family: {name, rootSelector, methodFor(text) -> ["paste", "insertText"] in order of preference}
  C.makeEditableFamily = (family) => ({
    name: family.name,
    kind: "editable",
    rootSelector: family.rootSelector,
    find(selector, shadowHosts) {
      return dom
        .queryAllDeep(selector || family.rootSelector, shadowHosts)
        .map((el) => (el instanceof HTMLElement && el.isContentEditable ? el : el.querySelector("[contenteditable=true]")))
        .filter(
          /** @returns {el is HTMLElement} */
          (el) => el instanceof HTMLElement && el.isContentEditable && !el.closest("[data-carelint-ui]") && dom.isVisible(el),
        );
    },
    bind(el) {
      return new EditableAdapter(el, family);
    },
  });

  /** @implements {Carelint.Adapter} */
  class EditableAdapter {
    /** @param {HTMLElement} el @param {Carelint.EditableFamilySpec} family */
    constructor(el, family) {
      this.el = el;
      this.family = family.name;
      this.methodFor = family.methodFor;
      this.settleMs = family.settleMs || 0;
      this.lastUserEditAt = 0;
      /** @type {Carelint.TextMap | null} */
      this.map = null;
      /** @type {number | null} */
      this.lastCaret = null;
      /** @type {Set<() => void>} */
      this.listeners = new Set();
      this.observer = new MutationObserver(() => {
        this.map = null;
        this.emit();
      });
      this.observer.observe(el, { childList: true, subtree: true, characterData: true });
      this.onSelection = () => {
        const c = this.caret();
        if (c !== null) this.lastCaret = c;
      };
      document.addEventListener("selectionchange", this.onSelection);
      // Draft.js on X fires no input event for deletions: keyup catches those.
      this.onEvent = (/** @type {Event} */ e) => {
        if (e.isTrusted && e.type === "input") this.lastUserEditAt = performance.now();
        this.emit();
      };
      for (const t of ["input", "keyup", "paste", "cut"]) el.addEventListener(t, this.onEvent);
    }

    emit() {
      for (const cb of this.listeners) cb();
    }
    /** @param {() => void} cb */
    onChange(cb) {
      this.listeners.add(cb);
    }

    currentMap() {
      if (!this.map) this.map = new C.TextMap(this.el);
      return this.map;
    }

    readText() {
      return this.currentMap().text;
    }

    /** @param {number} start @param {number} end */
    rangeFor(start, end) {
      return this.currentMap().rangeFor(start, end);
    }

    caret() {
      const sel = dom.selectionFor(this.el);
      if (!sel || !sel.rangeCount || !this.el.contains(sel.focusNode)) return null;
      return this.currentMap().offsetOf(sel.focusNode, sel.focusOffset);
    }

    focus() {
      const at = this.lastCaret;
      this.el.focus({ preventScroll: true });
      // focus() puts the caret at the start of a contenteditable whose selection was
      // elsewhere: put it back where the user left it.
      if (at !== null && this.caret() !== at && at <= this.readText().length) {
        const r = this.rangeFor(at, at);
        const sel = dom.selectionFor(this.el);
        if (sel) sel.setBaseAndExtent(r.startContainer, r.startOffset, r.endContainer, r.endOffset);
      }
      this.el.scrollIntoView({ block: "nearest" });
    }

    rect() {
      return this.el.getBoundingClientRect();
    }

    /** @param {Node} node */
    contains(node) {
      return node === this.el || this.el.contains(node);
    }

    hasFocus() {
      return dom.deepActiveElement() === this.el || this.el.contains(dom.deepActiveElement());
    }

    /** @param {number} start @param {number} end */
    async select(start, end) {
      if (!this.hasFocus()) this.el.focus({ preventScroll: true });
      const r = this.rangeFor(start, end);
      const sel = dom.selectionFor(this.el);
      if (!sel) return;
      const settled = dom.selectionSettled();
      sel.setBaseAndExtent(r.startContainer, r.startOffset, r.endContainer, r.endOffset);
      await settled;
    }

    // Editors whose history groups edits by time (Quill: 1 s from a group's first change,
    // ProseMirror: 500 ms between adjacent changes) would fold a fix made right after
    // typing into the typing's undo step; callers wait for the editor to go idle first so
    // the fix stays its own Ctrl+Z.
    async settle() {
      const wait = this.lastUserEditAt + this.settleMs - performance.now();
      if (this.settleMs && wait > 0) await new Promise((r) => setTimeout(r, wait));
    }

    /** @param {number} start @param {number} end @param {string} text @param {number} [userCaret] */
    async replace(start, end, text, userCaret) {
      const before = this.readText();
      if (start < 0 || end > before.length || start > end) return false;
      if (before.slice(start, end) === text) return true;
      // Where the user left the caret: given by the caller (read when the card opened, before
      // any focus change), else the last one seen in this editor.
      const caret = userCaret ?? this.lastCaret;
      const expected = before.slice(0, start) + text + before.slice(end);
      const accepted = () => {
        const now = this.readText();
        return now === expected || (now !== before && now.includes(text.replace(/^\n+/, "")));
      };
      let ok = false;
      for (const method of this.methodFor(text)) {
        await this.select(start, end);
        METHODS[method](this.el, text);
        ok = await dom.waitFor(accepted, this.el);
        // Only fall back when the editor did nothing at all: never insert twice.
        if (ok || this.readText() !== before) break;
      }
      if (ok) {
        // Put the caret back where the user left it, shifted by the edit (a fix must
        // never throw the caret to the start or end of the post).
        const delta = text.length - (end - start);
        let at = start + text.length;
        if (caret !== null && caret <= start) at = caret;
        else if (caret !== null && caret >= end) at = caret + delta;
        await this.select(Math.min(at, this.readText().length), Math.min(at, this.readText().length));
      }
      return ok;
    }

    destroy() {
      this.observer.disconnect();
      document.removeEventListener("selectionchange", this.onSelection);
      for (const t of ["input", "keyup", "paste", "cut"]) this.el.removeEventListener(t, this.onEvent);
      this.listeners.clear();
    }
  }
})();
