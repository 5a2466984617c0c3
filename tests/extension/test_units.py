"""The extension's own modules, loaded into a plain page's main world in the same
Chromium: the text map over real editor markup shapes, the shifting of findings across
edits, and a check response that arrives after the text changed (it must not paint
stale spans)."""

import pytest

from .conftest import UNIT_HOST


@pytest.fixture
def unit(browser_context, console_errors):
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    console_errors.attach(page)
    page.goto(f"https://{UNIT_HOST}/")
    page.wait_for_function("() => !!(window.Carelint && Carelint.Session)")
    yield page
    page.close()
    assert not console_errors.all(), console_errors.all()


MARKUP = {
    # Draft.js: blocks of spans, empty block holds <br data-text>
    "draft": (
        '<div data-contents="true"><div data-block="true"><div class="public-DraftStyleDefault-block">'
        '<span><span data-text="true">Hi 🎉 Maria</span></span></div></div>'
        '<div data-block="true"><div class="public-DraftStyleDefault-block">'
        '<span><br data-text="true"></span></div></div>'
        '<div data-block="true"><div class="public-DraftStyleDefault-block"><span><span data-text="true">our </span>'
        '<span data-text="true" style="font-weight:bold">patient</span></span></div></div></div>',
        "Hi 🎉 Maria\n\nour patient",
    ),
    # Lexical: paragraphs, a line break inside one, a trailing placeholder <br>
    "lexical": (
        "<p><span>one</span><br><span>two 🎉</span></p><p><span>three</span><br><br></p>",
        "one\ntwo 🎉\nthree\n",
    ),
    # Quill: empty line is <p><br></p>, cursor blot holds \\uFEFF
    "quill": ('<p>a</p><p><br></p><p>b<span class="ql-cursor">\ufeff</span>c</p>', "a\n\nbc"),
    # ProseMirror: trailing break and separator image
    "prosemirror": (
        '<p>x<br>y</p><p><img class="ProseMirror-separator"><br class="ProseMirror-trailingBreak"></p><p>z</p>',
        "x\ny\n\nz",
    ),
    # Plain contenteditable as Chrome writes it
    "plain": ("first<div>second</div><div><br></div><div>fourth</div>", "first\nsecond\n\nfourth"),
}


@pytest.mark.parametrize("shape", list(MARKUP))
def test_text_map_reads_text_and_maps_every_offset_back(unit, shape):
    html, expected = MARKUP[shape]
    result = unit.evaluate(
        """(html) => {
            const el = document.createElement('div');
            el.contentEditable = 'true';
            el.innerHTML = html;
            document.body.append(el);
            const map = new Carelint.TextMap(el);
            const text = map.text;
            // every non-newline substring maps to a Range with exactly that text
            const bad = [];
            for (let s = 0; s < text.length; s++) for (let e = s + 1; e <= text.length; e++) {
                const want = text.slice(s, e);
                if (want.includes('\\n')) continue;
                if (/[\\uD800-\\uDBFF]$/.test(want) || /^[\\uDC00-\\uDFFF]/.test(want)) continue;
                // Caret-holder characters (Quill's cursor blot) inside a span are invisible
                // and not part of the text; the range may step over them.
                const got = map.rangeFor(s, e).toString().replace(/[\u200b\ufeff]/g, '');
                if (got !== want) bad.push([s, e, want, got]);
            }
            // carets round-trip through offsetOf
            const carets = [];
            for (let o = 0; o <= text.length; o++) {
                if (/[\\uDC00-\\uDFFF]/.test(text[o] || '')) continue;
                const r = map.rangeFor(o, o);
                const back = map.offsetOf(r.startContainer, r.startOffset);
                if (back !== o) carets.push([o, back]);
            }
            el.remove();
            return {text, bad: bad.slice(0, 5), carets: carets.slice(0, 5)};
        }""",
        html,
    )
    assert result["text"] == expected
    assert result["bad"] == []
    assert result["carets"] == []


def test_shift_findings_keeps_untouched_spans_and_drops_touched_ones(unit):
    out = unit.evaluate(
        """() => {
            const before = 'Our patient Maria Gonzalez 🎉 called 555-123-4567';
            const f = (text, start) => ({id: text, text, start, end: start + text.length});
            const findings = [f('Maria Gonzalez', 12), f('555-123-4567', before.indexOf('555'))];
            const ids = (a) => a.map(x => `${x.id}@${x.start}`);
            return {
                typedBefore: ids(Carelint.shiftFindings(findings, before, 'Hi! ' + before)),
                typedInside: ids(Carelint.shiftFindings(findings, before, before.replace('Gonzalez', 'Gonzales'))),
                typedAfter: ids(Carelint.shiftFindings(findings, before, before + '!')),
            };
        }"""
    )
    assert out["typedBefore"] == ["Maria Gonzalez@16", "555-123-4567@41"]
    assert out["typedInside"] == ["555-123-4567@37"]
    assert out["typedAfter"] == ["Maria Gonzalez@12", "555-123-4567@37"]


def test_late_response_never_paints_stale_spans(unit):
    """A check for an older text that resolves after the user edited the span paints
    nothing there; its untouched spans land at their shifted place; the newest answer wins."""
    result = unit.evaluate(
        """async () => {
            const C = Carelint;
            C.settings = {...C.STORAGE_DEFAULTS};
            C.sessions = new Map();
            C.reportCount = () => {};
            const calls = [];
            C.send = (msg) => new Promise((resolve) => calls.push({msg, resolve}));
            const el = document.createElement('div');
            el.contentEditable = 'true';
            el.textContent = 'Our patient Maria Gonzalez, call 555-123-4567';
            document.body.append(el);
            const adapter = C.adapters.plain.bind(el);
            const session = new C.Session({platform: 'generic', submit: []}, adapter);
            const until = async (cond) => {
                for (let i = 0; i < 200 && !cond(); i++) await new Promise(r => setTimeout(r, 10));
                return cond();
            };
            const painted = () => [...(CSS.highlights.get('carelint-high') || [])].map(r => r.toString()).sort();
            const answer = (text) => {
                const f = (t) => ({id: t, text: t, start: text.indexOf(t), end: text.indexOf(t) + t.length,
                                   severity: 'high', category: 'phi', rule: 'r', message: '', suggestions: []});
                return {ok: true, status: 'connected', offline: false,
                        result: {findings: [f('Maria Gonzalez'), f('555-123-4567')].filter(x => x.start >= 0),
                                 disclaimer: null, platform: null}};
            };
            await until(() => calls.length === 1);
            const first = calls[0];
            // The user edits the name while the first check is in flight.
            el.firstChild.data = 'Our patient Maria Gonzales, call 555-123-4567';
            await until(() => session.shownText.includes('Gonzales'));
            first.resolve(answer(first.msg.text));
            await until(() => painted().length === 1);
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            const afterLate = painted();
            // The second check (for the edited text) was sent only after the first returned.
            await until(() => calls.length === 2);
            const secondText = calls[1].msg.text;
            calls[1].resolve(answer(secondText));
            await new Promise(r => setTimeout(r, 50));
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
            const final = painted();
            session.destroy();
            el.remove();
            return {afterLate, secondText, final, requests: calls.length};
        }"""
    )
    assert result["afterLate"] == ["555-123-4567"]
    assert result["secondText"] == "Our patient Maria Gonzales, call 555-123-4567"
    assert result["final"] == ["555-123-4567"]
    assert result["requests"] == 2


def test_disclaimer_is_appended_once_and_only_if_it_fits(unit):
    result = unit.evaluate(
        """async () => {
            const C = Carelint;
            C.settings = {...C.STORAGE_DEFAULTS};
            C.sessions = new Map();
            C.reportCount = () => {};
            const el = document.createElement('textarea');
            document.body.append(el);
            el.value = 'Drink water when you have a fever';
            let remaining = 100;
            const suggested = 'General info only, not medical advice.';
            C.send = async (msg) => ({ok: true, status: 'connected', offline: false, result: {
                findings: [],
                disclaimer: {needed: !msg.text.includes(suggested), present: msg.text.includes(suggested), suggested},
                platform: {name: 'x', limit: 280, length: msg.text.length, remaining}}});
            const session = new C.Session({platform: 'x', submit: []}, C.adapters.textarea.bind(el));
            await session.flush();
            const first = await session.appendDisclaimer();
            const afterFirst = el.value;
            await session.flush();
            const second = await session.appendDisclaimer();
            const afterSecond = el.value;
            el.value = 'Drink water when you have a fever!';  // a new text, not a cached answer
            el.dispatchEvent(new Event('input'));
            remaining = 10;  // the platform has room for 10 more characters only
            await session.flush();
            const third = await session.appendDisclaimer();
            const afterThird = el.value;
            session.destroy();
            el.remove();
            return {first, afterFirst, second, afterSecond, third, afterThird};
        }"""
    )
    assert result["first"] == {"ok": True}
    assert result["afterFirst"] == "Drink water when you have a fever\nGeneral info only, not medical advice."
    assert result["second"]["already"] is True
    assert result["afterSecond"] == result["afterFirst"]
    assert result["third"]["ok"] is False and "Not enough room" in result["third"]["reason"]
    assert result["afterThird"] == "Drink water when you have a fever!"


def test_card_links_only_https_sources_and_falls_back_to_suggestions_without_fixes(unit):
    """source_url becomes a link only when it is https; `fixes` wins over `suggestions`, which
    only an older server (no `fixes` at all) still gets buttons for."""
    out = unit.evaluate(
        """() => {
            const C = Carelint;
            const session = {meta: null, noteCaret() {}, adapter: {el: document.body, focus() {}}};
            const base = {id: 'a', start: 0, end: 5, text: 'Maria', category: 'phi', type: 'PERSON', severity: 'high',
                          message: 'm', source: '45 CFR 164.514(b)(2)', checked: 'Maria is home'};
            const render = (f) => {
                C.card.show(session, f, new DOMRect(10, 10, 10, 10));
                const c = C.card.element;
                const out = {
                    source: c.querySelector('.source') ? c.querySelector('.source').textContent : null,
                    links: [...c.querySelectorAll('.source a')].map(a => [a.getAttribute('href'), a.target, a.rel]),
                    fixes: [...c.querySelectorAll('button.fix')]
                        .map(b => [b.textContent, b.getAttribute('aria-label')]),
                    suggestions: [...c.querySelectorAll('button.suggestion')].map(b => b.textContent),
                    actions: [...c.querySelectorAll('.actions button')].map(b => b.textContent),
                };
                C.card.hide(false);
                return out;
            };
            const fixes = [{label: 'Remove the name', start: 0, end: 6, text: ''},
                           {label: 'Replace with “our patient”', start: 0, end: 5, text: 'our patient'},
                           {label: 'Use the safe reply', start: 0, end: 13, text: 'Call us.'}];
            return {
                https: render({...base, source_url: 'https://www.hhs.gov/hipaa/'}),
                script: render({...base, source_url: 'javascript:alert(1)'}),
                http: render({...base, source_url: 'http://example.org/'}),
                none: render({...base, source_url: null}),
                old: render({...base, suggestions: ['our patient']}),
                empty: render({...base, suggestions: ['our patient'], fixes: []}),
                fixes: render({...base, suggestions: ['our patient'], fixes}),
                offline: render({...base, offline: true, suggestions: []}),
                phone: render({...base, type: 'PHONE_NUMBER'}),
            };
        }"""
    )
    assert out["https"]["links"] == [["https://www.hhs.gov/hipaa/", "_blank", "noopener noreferrer"]]
    assert out["https"]["source"] == "Source: 45 CFR 164.514(b)(2)"
    for case in ("script", "http", "none"):
        assert out[case]["links"] == [] and out[case]["source"] == "Source: 45 CFR 164.514(b)(2)", case
    assert out["old"]["suggestions"] == ["our patient"] and out["old"]["fixes"] == []
    assert out["empty"]["suggestions"] == [] and out["empty"]["fixes"] == []
    assert out["fixes"]["suggestions"] == []
    assert out["fixes"]["fixes"] == [
        ["Remove the name", "Remove the name: deletes “Maria”"],
        ["Replace with “our patient”", "Replace with “our patient”"],
        ["Use the safe reply", "Use the safe reply: “Call us.”"],
    ]
    # The allowlist is split: here, always (personal), and the staff list (asks first).
    assert out["none"]["actions"] == ["Ignore here", "Always ignore", "This is our staff"]
    assert out["offline"]["actions"] == ["Ignore here", "Always ignore"]
    assert out["phone"]["actions"] == ["Ignore here", "Always ignore"]  # a number is never staff


def test_range_now_follows_edits_around_a_fix_and_refuses_edits_in_it(unit):
    before = "Hi. Our patient Maria Gonzalez is home."
    out = unit.evaluate(
        """(before) => {
            const at = (after) => Carelint.rangeNow(before, after, 15, 30);
            return {
                same: at(before),
                typedBefore: at('Hello. ' + before.slice(4)),
                typedAfter: at(before + ' Yay!'),
                typedInside: at(before.replace('Gonzalez', 'Gonzales')),
                typedAtItsEdge: at(before.replace(' is', 'x is')),
                outOfRange: Carelint.rangeNow(before, before, 30, 99),
            };
        }""",
        before,
    )
    assert out == {
        "same": 15,
        "typedBefore": 18,
        "typedAfter": 15,
        "typedInside": None,
        "typedAtItsEdge": None,
        "outOfRange": None,
    }


def test_apply_fix_moves_with_edits_before_it_and_refuses_a_changed_range(unit):
    result = unit.evaluate(
        """async () => {
            const C = Carelint;
            C.settings = {...C.STORAGE_DEFAULTS};
            C.sessions = new Map();
            C.reportCount = () => {};
            const name = 'Maria Gonzalez';
            C.send = async (msg) => {
                const start = msg.text.indexOf(name);
                const findings = start < 0 ? [] : [{id: 'n', start, end: start + name.length, text: name,
                    severity: 'high', category: 'phi', rule: 'r', message: '', suggestions: [],
                    fixes: [{label: 'Remove the name', start: start - 1, end: start + name.length, text: ''}]}];
                return {ok: true, status: 'connected', offline: false,
                        result: {findings, disclaimer: null, platform: null}};
            };
            const el = document.createElement('textarea');
            document.body.append(el);
            el.value = 'Hi. Our patient Maria Gonzalez is home.';
            const session = new C.Session({platform: 'x', submit: []}, C.adapters.textarea.bind(el));
            await session.flush();
            const [card] = session.findings;  // what an open card holds
            el.value = 'Hello. Our patient Maria Gonzalez is home.';  // typed before the name
            el.dispatchEvent(new Event('input'));
            const moved = await session.applyFix(card, card.fixes[0]);
            const afterMoved = el.value;
            el.value = 'Our patient Maria Gonzalez is home.';
            el.dispatchEvent(new Event('input'));
            await session.flush();
            const [again] = session.findings;
            el.value = 'Our patient Maria Gonzales is home.';  // typed inside the fix's range
            const refused = await session.applyFix(again, again.fixes[0]);
            const afterRefused = el.value;
            session.destroy();
            el.remove();
            return {moved, afterMoved, refused, afterRefused};
        }"""
    )
    assert result["moved"] == {"ok": True}
    assert result["afterMoved"] == "Hello. Our patient is home."
    assert result["refused"] == {"ok": False, "reason": "The text changed since it was checked; try again in a moment."}
    assert result["afterRefused"] == "Our patient Maria Gonzales is home."


FAMILY_NAMES = {"draft": "Draft.js", "lexical": "Lexical", "quill": "Quill", "prosemirror": "ProseMirror",
                "textarea": "textarea", "plain": "contenteditable", "auto": "read from the element"}


def test_every_supported_site_is_in_the_readme_with_its_editor_family(unit):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").splitlines()
    sites = unit.evaluate(
        "() => Carelint.SITES.map(s => ({id: s.id, hosts: s.hosts, families: s.editors.map(e => e.family)}))"
    )
    assert len(sites) >= 17
    for site in sites:
        rows = [line for line in readme if line.startswith("|") and f"`{site['hosts'][0]}`" in line]
        assert rows, f"{site['id']}: no README row with `{site['hosts'][0]}`"
        for family in site["families"]:
            assert FAMILY_NAMES[family] in rows[0], f"{site['id']}: the README row does not name {FAMILY_NAMES[family]}"


def test_platform_limits_match_the_server(unit):
    from carelint.platforms import PLATFORMS

    assert unit.evaluate("() => Carelint.PLATFORM_LIMITS") == {k: p.limit for k, p in PLATFORMS.items()}


def test_a_scheduler_uses_the_network_it_shows_else_the_strictest_selected(unit):
    got = unit.evaluate(
        """() => {
            document.body.insertAdjacentHTML('beforeend', `
              <div id="sched">
                <span class="net on" data-n="linkedin"></span><span class="net on" data-n="mastodon"></span>
                <div class="tab" data-tab="facebook"><div id="ed1" contenteditable="true"></div></div>
                <div id="ed2" contenteditable="true"></div></div>`);
            const site = {id: 't', hosts: [], platform: 'generic', editors: [], submit: [], networks: {
              scope: '#sched',
              current: [{selector: '.tab[data-tab=facebook]', platform: 'facebook'}],
              selected: ['linkedin', 'mastodon', 'x'].map(p => ({selector: `.net.on[data-n=${p}]`, platform: p})),
            }};
            const out = [Carelint.platformFor(site, document.getElementById('ed1')),
                         Carelint.platformFor(site, document.getElementById('ed2'))];
            document.querySelectorAll('.net').forEach(n => n.classList.remove('on'));
            out.push(Carelint.platformFor(site, document.getElementById('ed2')));
            document.getElementById('sched').remove();
            return out;
        }"""
    )
    # In a network's own tab: that network. Else the strictest selected (Mastodon 500 < LinkedIn
    # 3,000). None selected: the site's own.
    assert got == ["facebook", "mastodon", "generic"]
