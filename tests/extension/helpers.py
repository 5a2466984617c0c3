"""Reading what the extension painted, from the page's main world."""

HIGHLIGHTS_JS = """() => Object.fromEntries(['high', 'medium', 'low'].map(s => {
    const h = CSS.highlights.get('carelint-' + s);
    return [s, h ? [...h].map(r => r.toString()).sort() : []];
}))"""

# True once the highlights are exactly the expected texts per severity. Line breaks are left out
# of both: a range across two paragraph blocks reads without the break the post's text has.
HIGHLIGHTS_EQUAL_JS = """(expected) => {
    const flat = (t) => t.replace(/\\n/g, '');
    for (const s of ['high', 'medium', 'low']) {
        const h = CSS.highlights.get('carelint-' + s);
        const got = h ? [...h].map(r => flat(r.toString())).sort() : [];
        const want = [...(expected[s] || [])].map(flat).sort();
        if (got.length !== want.length || got.some((t, i) => t !== want[i])) return false;
    }
    return true;
}"""

RANGE_RECT_JS = """(text) => {
    for (const s of ['high', 'medium', 'low']) {
        const h = CSS.highlights.get('carelint-' + s);
        for (const r of h || []) if (r.toString().replace(/\\n/g, '') === text.replace(/\\n/g, '')) {
            const b = r.getClientRects()[0];
            return {x: b.left + b.width / 2, y: b.top + b.height / 2};
        }
    }
    return null;
}"""

# The platform's character counter shows `n` (the selector may point into a shadow root).
COUNTER_IS_JS = """([selector, n]) => {
    const find = (root, sel) => root.querySelector(sel) || [...root.querySelectorAll('*')]
        .filter(e => e.shadowRoot).map(e => find(e.shadowRoot, sel)).find(Boolean) || null;
    const c = document.querySelector(selector) || find(document, selector.split(' ').pop());
    return !!c && c.textContent.trim() === String(n);
}"""

# The caret is collapsed at the very end of the editor's text (contenteditable or field).
CARET_AT_END_JS = """(selector) => {
    const find = (root, sel) => root.querySelector(sel) || [...root.querySelectorAll('*')]
        .filter(e => e.shadowRoot).map(e => find(e.shadowRoot, sel)).find(Boolean) || null;
    const el = document.querySelector(selector) || find(document, selector.split(' ').pop());
    if (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT') {
        return el.selectionStart === el.value.length && el.selectionEnd === el.value.length;
    }
    const root = el.getRootNode();
    const sel = root.getSelection ? root.getSelection() : document.getSelection();
    if (!sel || !sel.rangeCount || !sel.isCollapsed || !el.contains(sel.focusNode)) return false;
    const r = document.createRange();
    r.setStart(sel.focusNode, sel.focusOffset);
    r.setEnd(el, el.childNodes.length);
    return r.toString().replace(/[\\u200B\\uFEFF]/g, '') === '';
}"""


def expected_highlights(findings, min_rank=1):
    rank = {"high": 3, "medium": 2, "low": 1}
    out = {"high": [], "medium": [], "low": []}
    for f in findings:
        if rank[f["severity"]] >= min_rank:
            out[f["severity"]].append(f["text"])
    return out


def utf16_replace(text: str, start: int, end: int, replacement: str) -> str:
    """Replace text[start:end] where start/end are UTF-16 offsets (what the extension asks for)."""
    units = text.encode("utf-16-le")
    return (units[: 2 * start] + replacement.encode("utf-16-le") + units[2 * end :]).decode("utf-16-le")


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")
