"""Every fixture composer, in real Chromium with the extension and the real server:
highlights over exactly the findings' text, fixes and the disclaimer through the editor's
own model (with undo), and the pre-submit guard."""

import pytest

from .composers import COMPOSERS
from .helpers import (
    CARET_AT_END_JS,
    COUNTER_IS_JS,
    HIGHLIGHTS_EQUAL_JS,
    HIGHLIGHTS_JS,
    RANGE_RECT_JS,
    expected_highlights,
    utf16_replace,
    utf16_slice,
)

FIRST_LINE = "Big day at the clinic 🎉🎉"
SECOND_LINE = "Congrats to our patient Maria Gonzalez 🎉 on her recovery"
POST = f"{FIRST_LINE}\n{SECOND_LINE}"
NAME = "Maria Gonzalez"

ALL = list(COMPOSERS)
POSTS = [n for n, c in COMPOSERS.items() if c.context == "post"]
REPLIES = [n for n, c in COMPOSERS.items() if c.context == "review_reply"]


def type_post(page, composer, lines=(FIRST_LINE, SECOND_LINE)):
    page.locator(composer.editor).click()
    for i, line in enumerate(lines):
        if i:
            # Where a plain Enter sends (comment boxes), a new line is Shift+Enter.
            page.keyboard.press("Shift+Enter" if composer.enter_submits else "Enter")
        page.keyboard.type(line)
    text = "\n".join(lines)
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)
    return text


def check(api, text, platform, context="post"):
    r = api.post("/v1/check", json={"text": text, "platform": platform, "offset_unit": "utf16", "context": context})
    r.raise_for_status()
    return r.json()


def wait_highlights(page, expected, timeout=10000):
    try:
        page.wait_for_function(HIGHLIGHTS_EQUAL_JS, arg=expected, timeout=timeout)
    except Exception:
        got = page.evaluate(HIGHLIGHTS_JS)
        raise AssertionError(f"highlights {got} != expected {expected}") from None


def model_text(page):
    return page.evaluate("window.__fixture.getText()")


@pytest.mark.parametrize("name", ALL)
def test_highlights_cover_exactly_the_findings(open_composer, api, name):
    page, composer = open_composer(name)
    text = type_post(page, composer)
    result = check(api, text, composer.platform, composer.context)
    phi = [f for f in result["findings"] if f["category"] == "phi" and f["severity"] == "high"]
    assert any(f["text"] == NAME for f in phi), result["findings"]
    wait_highlights(page, expected_highlights(result["findings"]))
    # Each range sits in the editor (or, for a textarea, on the mirror over it) and starts
    # where the server said: the text before it is exactly text[:start] (UTF-16 units).
    placed = page.evaluate(
        """(name) => {
            const r = [...CSS.highlights.get('carelint-high')].find(r => r.toString() === name);
            const node = r.startContainer;
            const root = node.getRootNode();
            const inMirror = !!(root.host && root.host.tagName === 'CARELINT-UI');
            return {inMirror, connected: node.isConnected};
        }""",
        NAME,
    )
    assert placed["connected"]
    assert placed["inMirror"] == (composer.family == "textarea")
    # The chip ("N issues", "+ Disclaimer") sits outside the field: it never covers the text
    # being written, nor the Post button.
    chip = page.locator("carelint-ui .chip").bounding_box()
    for target in (composer.editor, composer.submit):
        box = page.locator(target).first.bounding_box()
        apart = (chip["x"] >= box["x"] + box["width"] or box["x"] >= chip["x"] + chip["width"]
                 or chip["y"] >= box["y"] + box["height"] or box["y"] >= chip["y"] + chip["height"])
        assert apart, f"the chip {chip} overlaps {target} {box}"
    assert model_text(page) == text


def open_card_for(page, text):
    point = page.evaluate(RANGE_RECT_JS, text)
    assert point, f"no highlight over {text!r}"
    page.mouse.move(point["x"], point["y"])
    card = page.locator("carelint-ui .card")
    card.wait_for(state="visible")
    return card


@pytest.mark.parametrize("name", ALL)
def test_ranged_fix_edits_the_editor_model_and_undo_reverts(open_composer, api, name):
    """The name's first fix ("Remove the name" after "our patient") is wider than the finding
    (it takes the space before the name): applied through the card, the editor holds exactly
    text[:start] + fix + text[end:], the caret stays, and Ctrl+Z restores the post."""
    page, composer = open_composer(name)
    text = type_post(page, composer)
    result = check(api, text, composer.platform, composer.context)
    finding = next(f for f in result["findings"] if f["text"] == NAME)
    fix = finding["fixes"][0]
    assert utf16_slice(text, finding["start"], finding["end"]) == NAME
    assert (fix["start"], fix["end"]) != (finding["start"], finding["end"]), fix  # wider than the finding
    assert fix["start"] <= finding["start"] and finding["end"] <= fix["end"], fix
    wait_highlights(page, expected_highlights(result["findings"]))

    card = open_card_for(page, NAME)
    assert card.get_attribute("role") == "dialog"
    button = card.locator("button.fix").first
    assert button.inner_text() == fix["label"]
    # Its accessible name says what the fix does to the text (a deletion names what goes).
    described = button.get_attribute("aria-label")
    assert described.startswith(fix["label"]) and (fix["text"] or NAME) in described
    button.click()
    fixed = utf16_replace(text, fix["start"], fix["end"], fix["text"])
    assert fixed != text and NAME not in fixed
    page.wait_for_function("t => window.__fixture.getText() === t", arg=fixed)
    # The caret stays where the user left it (the end of the post), shifted by the fix.
    page.wait_for_function(CARET_AT_END_JS, arg=composer.editor)
    if composer.counter:
        page.wait_for_function(
            COUNTER_IS_JS,
            arg=[
                composer.counter,
                composer.limit - len(fixed.encode("utf-16-le")) // 2,
            ],  # the fixtures count UTF-16 units
        )
    # The name's highlight is gone once the fixed text is checked.
    page.wait_for_function(
        "n => ![...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === n)", arg=NAME
    )
    assert model_text(page) == fixed  # nothing else in the post changed

    page.keyboard.press("Control+z")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)
    wait_highlights(page, expected_highlights(result["findings"]))
    assert model_text(page) == text


BURN = "Put butter on a burn to soothe it."


@pytest.mark.parametrize("name", ALL)
def test_sentence_fix_replaces_the_whole_sentence_and_undo_reverts(open_composer, api, name):
    """The first fix of "butter" ("Use the safe instruction") rewrites the whole sentence around it."""
    page, composer = open_composer(name)
    text = type_post(page, composer, lines=(BURN,))
    result = check(api, text, composer.platform, composer.context)
    finding = next(f for f in result["findings"] if f["text"] == "butter")
    fix = finding["fixes"][0]
    assert fix["text"] and fix["end"] - fix["start"] > finding["end"] - finding["start"], fix
    wait_highlights(page, expected_highlights(result["findings"]))

    card = open_card_for(page, "butter")
    button = card.locator("button.fix").first
    assert button.inner_text() == fix["label"]
    assert fix["text"] in button.get_attribute("aria-label")
    button.click()
    fixed = utf16_replace(text, fix["start"], fix["end"], fix["text"])
    page.wait_for_function("t => window.__fixture.getText() === t", arg=fixed)
    page.wait_for_function(CARET_AT_END_JS, arg=composer.editor)

    page.keyboard.press("Control+z")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)
    assert model_text(page) == text


def test_a_fix_is_refused_when_its_text_changed_since_the_check(open_composer, api):
    """The card's fix indexes the text that was checked: if the name was edited meanwhile,
    nothing changes and the card says why."""
    page, composer = open_composer("mastodon")
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, composer.platform, composer.context)["findings"]))
    card = open_card_for(page, NAME)
    changed = text.replace("Gonzalez", "Gonzales")
    # An edit the page makes itself (no input event), as a site's script could, under the card.
    field_value = "sel => document.querySelector(sel).value"
    page.evaluate("([sel, v]) => { document.querySelector(sel).value = v; }", [composer.editor, changed])
    card.locator("button.fix").first.click()
    card.locator(".note", has_text="The text changed since it was checked").wait_for()
    assert page.evaluate(field_value, composer.editor) == changed


@pytest.mark.parametrize("name", POSTS)
def test_disclaimer_appended_once_on_its_own_line_and_undo_removes_it(open_composer, api, name):
    page, composer = open_composer(name)
    text = type_post(page, composer)
    result = check(api, text, composer.platform, composer.context)
    suggested = result["disclaimer"]["suggested"]
    assert suggested

    button = page.locator("carelint-ui [data-carelint-disclaimer]")
    button.wait_for(state="visible")
    button.click()
    with_disclaimer = f"{text}\n{suggested}"
    page.wait_for_function("t => window.__fixture.getText() === t", arg=with_disclaimer)
    # Idempotent: the button goes away and a second request adds nothing.
    button.wait_for(state="hidden")
    page.wait_for_function("() => document.documentElement.dataset.carelintState === 'connected'")
    assert model_text(page) == with_disclaimer

    page.keyboard.press("Control+z")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)


FOCUS_IN_CARD_JS = """() => { const a = document.querySelector('carelint-ui').shadowRoot.activeElement;
    return !!a && !!a.closest('.card'); }"""


@pytest.mark.parametrize("name", ALL)
def test_guard_holds_the_post_click_until_the_user_chooses(open_composer, api, name):
    page, composer = open_composer(name)
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, composer.platform, composer.context)["findings"]))

    page.locator(composer.submit).first.click()
    dialog = page.locator("carelint-ui dialog.guard")
    dialog.wait_for(state="visible")
    assert NAME in dialog.inner_text()
    assert page.evaluate("window.__fixture.posted") == []
    dialog.locator("button.review").click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("window.__fixture.posted") == []
    assert model_text(page) == text
    # "Review" opens the finding's card with the keyboard focus in it; Escape goes back
    # to the editor.
    card = page.locator("carelint-ui .card")
    card.wait_for(state="visible")
    assert page.evaluate("() => !!document.querySelector('carelint-ui').shadowRoot.activeElement.closest('.card')")
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")

    if composer.ctrl_enter:
        page.locator(composer.editor).click()
        page.keyboard.press("Control+Enter")
        dialog.wait_for(state="visible")
        page.keyboard.press("Escape")  # "Review": the finding's card opens, with the focus in it
        dialog.wait_for(state="hidden")
        page.wait_for_function(FOCUS_IN_CARD_JS)
        page.keyboard.press("Escape")
        card.wait_for(state="hidden")
        assert page.evaluate("window.__fixture.posted") == []

    page.locator(composer.submit).first.click()
    dialog.wait_for(state="visible")
    dialog.locator("button.post-anyway").click()
    page.wait_for_function("t => window.__fixture.posted.length === 1 && window.__fixture.posted[0] === t", arg=text)
    assert model_text(page) == text


@pytest.mark.parametrize("name", ["x", "mastodon"])
def test_guard_holds_a_post_clicked_before_the_check_came_back(open_composer, name):
    """Typing and clicking Post at once: the click waits for the check, then is held."""
    page, composer = open_composer(name)
    page.locator(composer.editor).click()
    page.keyboard.type(SECOND_LINE)
    page.locator(composer.submit).first.click()
    dialog = page.locator("carelint-ui dialog.guard")
    dialog.wait_for(state="visible")
    assert NAME in dialog.inner_text()
    assert page.evaluate("window.__fixture.posted") == []
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("window.__fixture.posted") == []


def test_clean_post_goes_through_without_a_dialog(open_composer):
    page, composer = open_composer("bluesky")
    text = type_post(page, composer, lines=("Our clinic opens at 9 on Saturdays.",))
    page.locator(composer.submit).first.click()
    page.wait_for_function("t => window.__fixture.posted.length === 1 && window.__fixture.posted[0] === t", arg=text)
    assert (
        page.locator("carelint-ui dialog.guard").count() == 0
        or not page.locator("carelint-ui dialog.guard").is_visible()
    )


def test_card_is_reachable_from_the_keyboard(open_composer, api):
    page, composer = open_composer("facebook")
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, "facebook")["findings"]))
    page.keyboard.press("ArrowLeft")  # caret into the post, not on a finding necessarily
    page.keyboard.press("Alt+ArrowDown")
    card = page.locator("carelint-ui .card")
    card.wait_for(state="visible")
    labelled = page.evaluate(
        """() => {
            const root = document.querySelector('carelint-ui').shadowRoot;
            const card = root.querySelector('.card');
            const title = root.getElementById(card.getAttribute('aria-labelledby'));
            return {role: card.getAttribute('role'), title: title && title.textContent,
                    focused: !!root.activeElement && card.contains(root.activeElement)};
        }"""
    )
    assert labelled["role"] == "dialog" and labelled["title"] and labelled["focused"]
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.getAttribute('data-lexical-editor')") == "true"
    assert model_text(page) == text


def test_the_card_says_what_drove_a_learned_finding(open_composer, api):
    page, composer = open_composer("mastodon")
    sentence = "Your bloodwork was normal, as we explained."
    text = type_post(page, composer, lines=(sentence,))
    findings = check(api, text, composer.platform, composer.context)["findings"]
    [learned] = [f for f in findings if f["category"] == "phi" and any(d.startswith("learned:") for d in f["drivers"])]
    wait_highlights(page, expected_highlights(findings))
    card = open_card_for(page, learned["text"])
    why = card.locator(".why").inner_text()
    assert why.startswith("Why:") and "sure" in why and "kind:" not in why
    assert model_text(page) == text


def test_card_title_names_risk_and_text_and_the_card_closes_when_focus_leaves(open_composer, api):
    """"High risk: patient information", the flagged words, an icon per severity (not colour
    alone); Tab past the card's last control closes it."""
    page, composer = open_composer("facebook")
    text = type_post(page, composer)
    findings = check(api, text, "facebook")["findings"]
    wait_highlights(page, expected_highlights(findings))
    card = open_card_for(page, NAME)
    title = card.locator("h2").text_content()
    assert "High risk: patient information" in title and "highPHI" not in title.replace(" ", "")
    assert card.locator(".flagged q").inner_text() == NAME
    high_icon = card.locator("h2 .icon").inner_text()
    medium = next((f for f in findings if f["severity"] == "medium"), None)
    if medium:
        page.mouse.move(0, 0)
        card.wait_for(state="hidden")
        card = open_card_for(page, medium["text"])
        assert card.locator("h2 .icon").inner_text() not in ("", high_icon)
        assert "Medium risk:" in card.locator("h2").text_content()

    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Alt+ArrowDown")
    card.wait_for(state="visible")
    for _ in range(20):
        page.keyboard.press("Tab")
        if not card.is_visible():
            break
    card.wait_for(state="hidden")
    assert model_text(page) == text


LANGUAGE_LINE = "Our patient Maria Gonzalez is no longer a diabetic and never suffers from migraines now."


def apart(a, b) -> bool:
    return (a["x"] >= b["x"] + b["width"] or b["x"] >= a["x"] + a["width"]
            or a["y"] >= b["y"] + b["height"] or b["y"] >= a["y"] + a["height"])


@pytest.mark.parametrize("name", ALL)
def test_the_issues_panel_opens_beside_the_composer_not_over_post(open_composer, api, name):
    page, composer = open_composer(name)
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, composer.platform, composer.context)["findings"]))
    page.locator("carelint-ui .chip .status").click()
    panel = page.locator("carelint-ui .panel")
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    post = page.locator(composer.submit).first.bounding_box()
    editor = page.locator(composer.editor).first.bounding_box()
    assert apart(box, post), f"the panel {box} covers Post {post}"
    assert apart(box, editor), f"the panel {box} covers the text {editor}"


def test_the_chip_opens_an_issues_panel_with_fix_all_safe_fixes_and_dismiss_all(open_composer, api):
    """The panel lists every finding (severity in words, text, message) with a fix and Ignore;
    "Fix all safe fixes" applies the fixes that change only the flagged words (each undoable);
    "Dismiss all" hides the rest. Keyboard: focus goes in, Escape returns to the editor."""
    page, composer = open_composer("mastodon")
    text = type_post(page, composer, lines=(LANGUAGE_LINE,))
    findings = check(api, text, composer.platform)["findings"]
    wait_highlights(page, expected_highlights(findings))
    page.locator("carelint-ui .chip .status").click()
    panel = page.locator("carelint-ui .panel")
    panel.wait_for(state="visible")
    assert panel.get_attribute("role") == "dialog"
    items = panel.locator("li")
    assert items.count() == len(findings)
    for f in findings:
        assert panel.locator("li q", has_text=f["text"][:30]).count() >= 1
    assert page.evaluate("() => !!document.querySelector('carelint-ui').shadowRoot.activeElement.closest('.panel')")

    # What "safe" means (panel.js), computed here from the server's fixes: the first fix, within
    # a few characters of the flagged words, never a sentence or the whole reply.
    def is_safe(f):
        if not f["fixes"]:
            return False
        fix = f["fixes"][0]
        wider = f["start"] - fix["start"] + (fix["end"] - f["end"])
        return wider <= 12 and "sentence" not in fix["label"].lower() and "reply" not in fix["label"].lower()

    safe = sorted((f for f in findings if is_safe(f)), key=lambda f: -f["start"])
    assert safe, findings
    expected = text
    for f in safe:  # from the end backwards, as the panel applies them
        fix = f["fixes"][0]
        expected = utf16_replace(expected, fix["start"], fix["end"], fix["text"])
    assert f"Fix all safe fixes ({len(safe)})" in panel.locator("button.fix-all").inner_text()
    panel.locator("button.fix-all").click()
    page.wait_for_function("t => window.__fixture.getText() === t", arg=expected)
    page.locator('carelint-ui .panel[data-state="ready"]').wait_for()  # re-listed after the new check

    panel.locator("button.dismiss-all").click()
    page.wait_for_function(HIGHLIGHTS_EQUAL_JS, arg={"high": [], "medium": [], "low": []})
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    for _ in safe:
        page.keyboard.press("Control+z")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)


def test_keyboard_shortcuts_open_the_panel_step_through_issues_and_add_the_disclaimer(
    open_composer, api, service_worker
):
    page, composer = open_composer("bluesky")
    text = type_post(page, composer)
    result = check(api, text, composer.platform)
    wait_highlights(page, expected_highlights(result["findings"]))
    run = "c => globalThis.carelintCommand(c)"
    assert service_worker.evaluate(run, "open-panel")
    panel = page.locator("carelint-ui .panel")
    panel.wait_for(state="visible")
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert service_worker.evaluate(run, "next-issue")
    card = page.locator("carelint-ui .card")
    card.wait_for(state="visible")
    first = card.locator(".flagged q").inner_text()
    assert service_worker.evaluate(run, "next-issue")
    page.wait_for_function(
        "t => document.querySelector('carelint-ui').shadowRoot.querySelector('.card .flagged q').textContent !== t",
        arg=first,
    )
    page.keyboard.press("Escape")
    assert service_worker.evaluate(run, "add-disclaimer")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=f"{text}\n{result['disclaimer']['suggested']}")


def test_tab_reaches_the_chip_and_disclaimer_before_post(open_composer, api):
    page, composer = open_composer("x")
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, composer.platform)["findings"]))
    page.locator("carelint-ui [data-carelint-disclaimer]").wait_for(state="visible")
    active = "() => { const a = document.querySelector('carelint-ui').shadowRoot.activeElement;" \
             " return a ? a.className : document.activeElement.getAttribute('data-testid'); }"
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "status"
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "add-disclaimer"
    # Then on through the page after the composer (the media button), to Post.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "tweetButton":
            break
    assert page.evaluate(active) == "tweetButton"
    # Shift+Tab from the chip's first control goes back to the composer.
    page.locator(composer.editor).click()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('data-testid')") == "tweetTextarea_0"
    assert model_text(page) == text
