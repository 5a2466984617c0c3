// @ts-check
// Textarea and text input (Mastodon, YouTube Studio fields). A textarea cannot hold
// highlight ranges, so a mirror with the field's box, font, wrapping and scroll sits over
// it inside Carelint's own shadow root; its text equals the field's value and the ranges
// go on the mirror. Edits use setSelectionRange + execCommand("insertText"), which keeps
// the native undo stack and fires the real input events React listens to; the native
// value setter plus an input event is the fallback.
(() => {
  const C = globalThis.Carelint;
  const { dom } = C;

  const COPIED = [
    "boxSizing", "fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "fontStretch",
    "fontKerning", "fontFeatureSettings", "letterSpacing", "wordSpacing", "lineHeight", "textAlign",
    "textIndent", "textTransform", "tabSize", "direction", "paddingTop", "paddingRight", "paddingBottom",
    "paddingLeft", "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth",
    "overflowWrap", "wordBreak", "hyphens",
  ];

  class Mirror {
    /** @param {HTMLTextAreaElement | HTMLInputElement} field */
    constructor(field) {
      this.field = field;
      this.box = document.createElement("div");
      this.box.className = "carelint-mirror";
      this.box.setAttribute("aria-hidden", "true");
      this.textNode = document.createTextNode("");
      // A trailing "\n" only opens a line when something follows it.
      this.box.append(this.textNode, document.createElement("br"));
      C.ui.layer.append(this.box);
      this.following = C.ui.follow(field, () => this.place(), ["scroll"]);
      this.schedule = this.following.schedule;
      this.place();
    }

    syncText() {
      if (this.textNode.data !== this.field.value) this.textNode.data = this.field.value;
    }

    place() {
      const f = this.field;
      this.syncText();
      const cs = getComputedStyle(f);
      const s = this.box.style;
      const from = /** @type {Record<string, string>} */ (/** @type {unknown} */ (cs));
      const to = /** @type {Record<string, string>} */ (/** @type {unknown} */ (s));
      for (const p of COPIED) to[p] = from[p];
      const rect = f.getBoundingClientRect();
      const visible = f.isConnected && rect.width > 0 && rect.height > 0;
      s.display = visible ? "block" : "none";
      s.left = `${rect.left}px`;
      s.top = `${rect.top}px`;
      s.width = `${rect.width}px`;
      s.height = `${rect.height}px`;
      s.boxSizing = "border-box";
      s.whiteSpace = f.tagName === "TEXTAREA" ? "pre-wrap" : "pre";
      // The field's scrollbar narrows its text box; the mirror has none.
      const scrollbar = f.offsetWidth - f.clientWidth - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
      s.paddingRight = `${parseFloat(cs.paddingRight) + Math.max(0, scrollbar)}px`;
      this.box.scrollTop = f.scrollTop;
      this.box.scrollLeft = f.scrollLeft;
    }

    /** @param {number} start @param {number} end */
    rangeFor(start, end) {
      this.syncText();
      const r = document.createRange();
      const len = this.textNode.data.length;
      r.setStart(this.textNode, Math.min(start, len));
      r.setEnd(this.textNode, Math.min(end, len));
      return r;
    }

    destroy() {
      this.following.stop();
      this.box.remove();
    }
  }

  /** @implements {Carelint.Adapter} */
  class TextareaAdapter {
    /** @param {HTMLTextAreaElement | HTMLInputElement} el */
    constructor(el) {
      this.el = el;
      this.family = "textarea";
      this.mirror = new Mirror(el);
      /** @type {Set<() => void>} */
      this.listeners = new Set();
      /** @type {number | null} */
      this.lastCaret = null;
      this.onEvent = () => {
        this.mirror.schedule();
        for (const cb of this.listeners) cb();
      };
      this.onSelect = () => {
        if (document.activeElement === el) this.lastCaret = el.selectionEnd;
      };
      for (const t of ["input", "keyup", "change", "cut", "paste"]) el.addEventListener(t, this.onEvent);
      document.addEventListener("selectionchange", this.onSelect);
      el.addEventListener("select", this.onSelect);
      // React sets .value on re-render without an input event: poll cheaply per frame
      // only while focused, so a controlled field reset by the page is noticed.
      this.lastValue = el.value;
      this.poll = () => {
        if (this.el.value !== this.lastValue) {
          this.lastValue = this.el.value;
          this.onEvent();
        }
      };
      this.pollTimer = setInterval(this.poll, 500);
    }
    /** @param {() => void} cb */
    onChange(cb) {
      this.listeners.add(cb);
    }
    readText() {
      this.lastValue = this.el.value;
      return this.el.value;
    }
    /** @param {number} start @param {number} end */
    rangeFor(start, end) {
      return this.mirror.rangeFor(start, end);
    }
    caret() {
      return document.activeElement === this.el ? this.el.selectionEnd : null;
    }
    focus() {
      this.el.focus({ preventScroll: true });
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
      return document.activeElement === this.el;
    }
    async settle() {} // the native undo stack separates execCommand edits already

    /** @param {number} start @param {number} end @param {string} text @param {number} [userCaret] */
    async replace(start, end, text, userCaret) {
      const el = this.el;
      const before = el.value;
      if (start < 0 || end > before.length || start > end) return false;
      const caret = userCaret ?? el.selectionEnd; // a textarea keeps its selection while unfocused
      const expected = before.slice(0, start) + text + before.slice(end);
      el.focus({ preventScroll: true });
      el.setSelectionRange(start, end);
      const done = text === "" ? document.execCommand("delete", false) : document.execCommand("insertText", false, text);
      if (!done || el.value === before) {
        const proto = el.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        const setValue = Object.getOwnPropertyDescriptor(proto, "value")?.set;
        if (setValue) setValue.call(el, expected);
        el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertReplacementText", data: text }));
      }
      await dom.nextFrame();
      const ok = el.value === expected;
      const delta = text.length - (end - start);
      let at = start + text.length;
      if (caret !== null && caret <= start) at = caret;
      else if (caret !== null && caret >= end) at = caret + delta;
      el.setSelectionRange(at, at);
      this.mirror.place();
      return ok;
    }
    destroy() {
      for (const t of ["input", "keyup", "change", "cut", "paste"]) this.el.removeEventListener(t, this.onEvent);
      document.removeEventListener("selectionchange", this.onSelect);
      this.el.removeEventListener("select", this.onSelect);
      clearInterval(this.pollTimer);
      this.mirror.destroy();
      this.listeners.clear();
    }
  }

  C.adapters.textarea = {
    name: "textarea",
    kind: "field",
    find(selector, shadowHosts) {
      return dom
        .queryAllDeep(selector || "textarea", shadowHosts)
        .filter(
          /** @returns {el is HTMLTextAreaElement | HTMLInputElement} */
          (el) => (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) && !el.readOnly && !el.disabled && dom.isVisible(el),
        );
    },
    bind(el) {
      return new TextareaAdapter(/** @type {HTMLTextAreaElement | HTMLInputElement} */ (el));
    },
  };
})();
