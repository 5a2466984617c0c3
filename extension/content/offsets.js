// @ts-check
// TextMap: the plain text of an editor root and a stable map between UTF-16 offsets in
// that text and DOM positions. Blocks (p, div, li…) become lines joined by "\n"; a <br>
// is "\n" unless it is the placeholder that keeps an empty or trailing line open (Quill,
// Lexical, ProseMirror and Draft.js all render one); emoji are kept as their two UTF-16
// units, so server offsets asked for in "utf16" index this string directly.
(() => {
  const C = globalThis.Carelint;
  const BLOCK_TAGS = new Set([
    "P", "DIV", "LI", "UL", "OL", "H1", "H2", "H3", "H4", "H5", "H6",
    "BLOCKQUOTE", "PRE", "SECTION", "ARTICLE", "HEADER", "FOOTER", "TABLE", "TR", "FIGURE",
  ]);
  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "IMG", "svg"]);
  // Caret-holder characters some editors put in otherwise empty text nodes.
  const FILLER = /^[\u200B\uFEFF]+$/;

  /** @typedef {{t: "text", node: Text} | {t: "br" | "open" | "close", node: Element}} Token */
  /** @typedef {{node: Node, start: number, end: number, kind: "text" | "br" | "sep"}} Segment */
  /** @typedef {{node: Text, start: number, end: number, kind: "text"}} TextSegment */

  /** @param {Node} root @returns {Token[]} */
  function tokenize(root) {
    /** @type {Token[]} */
    const tokens = [];
    /** @param {Node} node */
    const walk = (node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          const text = /** @type {Text} */ (child);
          if (text.data && !FILLER.test(text.data)) tokens.push({ t: "text", node: text });
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          const el = /** @type {Element} */ (child);
          if (SKIP_TAGS.has(el.tagName)) continue;
          if (el.getAttribute("contenteditable") === "false") continue;
          if (el.tagName === "BR") {
            tokens.push({ t: "br", node: el });
            continue;
          }
          const block = BLOCK_TAGS.has(el.tagName);
          if (block) tokens.push({ t: "open", node: el });
          walk(el);
          if (block) tokens.push({ t: "close", node: el });
        }
      }
    };
    walk(root);
    return tokens;
  }

  /** @implements {Carelint.TextMap} */
  class TextMap {
    /** @param {HTMLElement} root */
    constructor(root) {
      this.root = root;
      /** @type {Segment[]} */
      this.segments = [];
      let text = "";
      let started = false;
      let pendingBreak = false;
      const tokens = tokenize(root);
      const touch = (/** @type {Node} */ node) => {
        if (pendingBreak && started) {
          this.segments.push({ node, start: text.length, end: text.length + 1, kind: "sep" });
          text += "\n";
        }
        pendingBreak = false;
        started = true;
      };
      tokens.forEach((tok, i) => {
        if (tok.t === "text") {
          touch(tok.node);
          this.segments.push({ node: tok.node, start: text.length, end: text.length + tok.node.data.length, kind: "text" });
          text += tok.node.data;
        } else if (tok.t === "br") {
          const next = tokens[i + 1];
          const placeholder = !next || next.t === "open" || next.t === "close";
          touch(tok.node);
          if (!placeholder) {
            this.segments.push({ node: tok.node, start: text.length, end: text.length + 1, kind: "br" });
            text += "\n";
          }
        } else if (started) {
          pendingBreak = true;
        }
      });
      this.text = text;
      this.textSegments = this.segments.filter(/** @returns {s is TextSegment} */ (s) => s.kind === "text");
    }

    // A DOM boundary point for a text offset. `forward` picks the start of the following
    // text node when the offset sits exactly between two nodes (range starts), otherwise
    // the end of the preceding one (range ends, carets).
    /** @param {number} offset @param {boolean} forward @returns {{node: Node, offset: number}} */
    pointAt(offset, forward) {
      const segs = this.textSegments;
      const hit = forward
        ? segs.find((s) => s.start <= offset && offset < s.end)
        : segs.findLast((s) => s.start < offset && offset <= s.end);
      const near = hit || segs.find((s) => s.start <= offset && offset <= s.end);
      if (near) return { node: near.node, offset: offset - near.start };
      // An empty line or a line break: place the point just after the break or just
      // before the node that opened the line.
      /** @param {Node} n */
      const after = (n) => {
        const parent = /** @type {Node} */ (n.parentNode);
        return { node: parent, offset: Array.prototype.indexOf.call(parent.childNodes, n) + 1 };
      };
      /** @param {Node} n */
      const before = (n) => (n.nodeType === Node.TEXT_NODE ? { node: n, offset: 0 } : { node: after(n).node, offset: after(n).offset - 1 });
      const br = this.segments.find((s) => s.kind === "br" && s.end === offset);
      if (br) return after(br.node);
      const sep = this.segments.find((s) => s.kind === "sep" && s.end === offset);
      if (sep) return before(sep.node);
      return offset <= 0 ? { node: this.root, offset: 0 } : { node: this.root, offset: this.root.childNodes.length };
    }

    /** @param {number} start @param {number} end */
    rangeFor(start, end) {
      const a = this.pointAt(start, true);
      const b = end === start ? a : this.pointAt(end, false);
      const range = this.root.ownerDocument.createRange();
      range.setStart(a.node, a.offset);
      range.setEnd(b.node, b.offset);
      return range;
    }

    /** @param {Node} node @returns {Element | null} */
    blockOf(node) {
      for (let n = node.parentNode; n && n !== this.root; n = n.parentNode) {
        if (n.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(/** @type {Element} */ (n).tagName)) return /** @type {Element} */ (n);
      }
      return null;
    }

    // Text offset of a DOM boundary point (for carets); null when outside the root.
    /** @param {Node | null} node @param {number} offset */
    offsetOf(node, offset) {
      if (!node || !this.root.contains(node)) return null;
      if (node.nodeType === Node.TEXT_NODE) {
        const seg = this.textSegments.find((s) => s.node === node);
        if (seg) return seg.start + Math.min(offset, seg.end - seg.start);
      }
      const probe = this.root.ownerDocument.createRange();
      const length = node.nodeType === Node.TEXT_NODE ? /** @type {Text} */ (node).data.length : node.childNodes.length;
      probe.setStart(node, Math.min(offset, length));
      for (const s of this.segments) {
        if (probe.comparePoint(s.node, 0) < 0) continue;
        if (s.kind !== "sep") return s.start;
        // Between two lines: the caret belongs to the next line only if it is inside the
        // block that line starts with.
        const block = this.blockOf(s.node);
        return block && block.contains(node) ? s.end : s.start;
      }
      return this.text.length;
    }
  }

  C.TextMap = TextMap;

  // Where an edit happened between two versions of a text: the common prefix and suffix.
  C.diffRegion = (before, after) => {
    let p = 0;
    const max = Math.min(before.length, after.length);
    while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
    let s = 0;
    while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
    return { prefix: p, suffix: s, delta: after.length - before.length };
  };

  // Where the range [start, end) of `before` is in `after`: moved by an edit before it, kept
  // by one after it; null when the edit touched it, even at its edge (the user is working there).
  C.rangeNow = (before, after, start, end) => {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= before.length)) return null;
    let at = start;
    if (before !== after) {
      const { prefix, suffix, delta } = C.diffRegion(before, after);
      if (end < prefix) at = start;
      else if (start > before.length - suffix) at = start + delta;
      else return null;
    }
    return after.slice(at, at + end - start) === before.slice(start, end) ? at : null;
  };

  // Move findings computed for `before` onto `after`, dropping the ones the edit touched,
  // so highlights never jump or flicker while a fresh check is in flight.
  C.shiftFindings = (findings, before, after) => {
    if (before === after) return findings;
    const { prefix, suffix, delta } = C.diffRegion(before, after);
    const editEnd = before.length - suffix;
    const out = [];
    for (const f of findings) {
      /** @type {Carelint.Finding | null} */
      let g = null;
      if (f.end <= prefix) g = f;
      else if (f.start >= editEnd) g = { ...f, start: f.start + delta, end: f.end + delta };
      if (g && after.slice(g.start, g.end) === g.text) out.push(g);
    }
    return out;
  };
})();
