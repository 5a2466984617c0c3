"""The server's playground page (served at `/`, signed in with a one-time link): a finding's
fixes are buttons that edit the textarea through the browser's editing pipeline, so Ctrl+Z
undoes them, and the post is checked again."""

import re

import pytest

from .helpers import utf16_replace
from .pairing import sign_in
from .test_composers import NAME, POST, check

FINDING_JS = """(name) => [...document.querySelectorAll('#findings li')]
    .some(li => li.querySelector('q.span-text').textContent === name)"""


@pytest.fixture
def playground(browser_context, api, console_errors):
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    console_errors.attach(page)
    sign_in(page, api)
    yield page
    page.close()
    assert not console_errors.all(), console_errors.all()


def finding_item(page, text):
    """The list item of the finding over exactly `text` (a sentence mark around it has its own)."""
    return page.locator("#findings li", has=page.locator("q.span-text", has_text=re.compile(f"^{re.escape(text)}$")))


def test_playground_fix_edits_the_post_and_ctrl_z_reverts_it(playground, api):
    page = playground
    finding = next(f for f in check(api, POST, "generic")["findings"] if f["text"] == NAME)
    fix = finding["fixes"][0]
    page.locator("#post-text").fill(POST)
    page.wait_for_function(FINDING_JS, arg=NAME)

    button = finding_item(page, NAME).locator("button.fix").first
    assert button.inner_text() == fix["label"]
    assert button.get_attribute("aria-label").startswith(fix["label"])
    button.click()
    fixed = utf16_replace(POST, fix["start"], fix["end"], fix["text"])  # the page asks for UTF-16 offsets
    assert page.input_value("#post-text") == fixed
    page.wait_for_function(f"() => !({FINDING_JS})({NAME!r})")  # checked again: the name is gone
    assert page.locator("#undo-fix").is_hidden()  # the browser's own undo holds the fix

    page.keyboard.press("Control+z")
    assert page.input_value("#post-text") == POST
    page.wait_for_function(FINDING_JS, arg=NAME)  # and the restored post is checked again


def test_playground_refuses_a_fix_for_text_that_changed(playground, api):
    page = playground
    page.locator("#post-text").fill(POST)
    page.wait_for_function(FINDING_JS, arg=NAME)
    changed = POST.replace("Gonzalez", "Gonzales")
    page.evaluate("v => { document.getElementById('post-text').value = v; }", changed)  # no input event
    finding_item(page, NAME).locator("button.fix").first.click()
    page.locator("#fix-status", has_text="The text changed since it was checked").wait_for()
    assert page.input_value("#post-text") == changed


def test_playground_without_exec_command_offers_its_own_undo(playground, api):
    """Where execCommand does nothing, the fix goes in with setRangeText and the page's own
    "Undo fix" button puts the post back."""
    page = playground
    fix = next(f for f in check(api, POST, "generic")["findings"] if f["text"] == NAME)["fixes"][0]
    page.locator("#post-text").fill(POST)
    page.wait_for_function(FINDING_JS, arg=NAME)
    page.evaluate("() => { document.execCommand = () => false; }")
    finding_item(page, NAME).locator("button.fix").first.click()
    assert page.input_value("#post-text") == utf16_replace(POST, fix["start"], fix["end"], fix["text"])
    undo = page.locator("#undo-fix")
    undo.wait_for(state="visible")
    undo.click()
    assert page.input_value("#post-text") == POST
    undo.wait_for(state="hidden")
    page.wait_for_function(FINDING_JS, arg=NAME)


def test_playground_checks_a_reply_to_a_review_as_one(playground, api):
    """"A reply to a review": the reviewer's care is high, the safe reply replaces the whole
    reply (undoable), and no disclaimer is asked for."""
    page = playground
    reply = "Sorry you were unhappy, Jordan. Your crown was placed exactly as planned."
    page.locator("#reply").check()
    page.locator("#post-text").fill(reply)
    findings = check(api, reply, "generic", "review_reply")["findings"]
    high = next(f for f in findings if f["category"] == "phi" and f["severity"] == "high")
    page.wait_for_function(FINDING_JS, arg=high["text"])
    assert "needs no disclaimer" in page.locator("#disclaimer-status").inner_text()
    button = finding_item(page, high["text"]).locator("button.fix").first
    assert button.inner_text() == high["fixes"][0]["label"] == "Replace the reply with the safe reply"
    button.click()
    assert page.input_value("#post-text") == high["fixes"][0]["text"]
    page.keyboard.press("Control+z")
    assert page.input_value("#post-text") == reply


def test_playground_speaks_words_and_warns_before_copying_a_risky_post(playground, api):
    page = playground
    page.locator("#post-text").fill(POST)
    page.wait_for_function(FINDING_JS, arg=NAME)
    item = finding_item(page, NAME)
    assert item.locator(".badge").text_content() == "High risk"
    assert item.locator(".category").inner_text() == "Patient information"
    assert item.locator(".rule-id").inner_text() == "phi.patient-name"
    # Copying with a disclaimer asks first while a high finding remains; declined, nothing is copied.
    risky = ("Flu season is here. A flu shot lowers your risk of severe illness and hospitalisation. "
             "Take double the dose of Tylenol if the fever stays.")
    result = check(api, risky, "generic")
    assert result["disclaimer"]["needed"] and any(f["severity"] == "high" for f in result["findings"])
    page.locator("#post-text").fill(risky)
    page.wait_for_function(FINDING_JS, arg="double the dose")
    page.once("dialog", lambda d: d.dismiss())
    page.click("#copy")
    page.locator("#copy-status", has_text="Not copied").wait_for()
    # A post that needs no disclaimer shows neither a suggestion nor the copy button enabled.
    page.locator("#post-text").fill("Our clinic opens at 9 on Saturdays.")
    page.wait_for_function("() => document.getElementById('disclaimer-status').textContent === 'No disclaimer needed.'")
    assert page.locator("#disclaimer-text").is_hidden()
    assert page.locator("#copy").is_disabled()


def test_playground_highlights_in_the_box_you_type_in(playground, api):
    """One editor: the marks are painted on a layer of the textarea's own box, holding the same text."""
    page = playground
    page.locator("#post-text").fill(POST)
    page.locator("#preview mark.sev-high", has_text=NAME).wait_for()
    box = page.locator("#post-text").bounding_box()
    layer = page.locator("#preview").bounding_box()
    assert all(abs(box[k] - layer[k]) <= 1 for k in ("x", "y", "width", "height")), (box, layer)
    assert page.evaluate("document.getElementById('preview').textContent.replace('\\u200b', '')") == POST
    # Typing: at once the layer holds the new text, unmarked until it is checked again.
    page.locator("#post-text").press("End")
    page.keyboard.type("!")
    assert page.evaluate("document.getElementById('preview').textContent.replace('\\u200b', '')") == POST + "!"
    page.locator("#preview mark.sev-high", has_text=NAME).wait_for()


def test_the_playground_follows_the_browsers_language(browser_context, api, console_errors):
    """Its own words in Spanish for a Spanish browser (static/playground-strings.js); a finding's
    words follow its paragraph's language, so an English post's finding stays English there."""
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    console_errors.attach(page)
    page.add_init_script("Object.defineProperty(navigator, 'language', {get: () => 'es-US'})")
    try:
        sign_in(page, api)
        page.wait_for_function("() => document.documentElement.lang === 'es'")
        assert page.locator("h1").inner_text() == "Carelint: área de pruebas"
        assert page.locator("#summary").inner_text() == "Nada revisado todavía."
        assert page.locator("#post-text").get_attribute("placeholder") == "Pegue o escriba una publicación…"
        assert page.locator("#pair-help code").first.inner_text() == "chrome://extensions"  # markup kept
        post = "Felicidades a nuestra paciente Rosa Elena Pérez por terminar su quimioterapia."
        page.locator("#post-text").fill(post)
        page.locator("#summary", has_text="hallazgo").wait_for()
        item = page.locator("#findings li").first
        assert item.locator(".badge").text_content() in ("Riesgo alto", "Riesgo medio", "Sugerencia")
        page.locator("#post-text").fill(POST)  # English: the finding's words are English
        page.wait_for_function(FINDING_JS, arg=NAME)
        assert finding_item(page, NAME).locator(".badge").text_content() == "High risk"
        assert page.locator("#summary").inner_text().endswith("bajos.")  # the page's own words stay Spanish
    finally:
        page.close()
    assert not console_errors.all(), console_errors.all()


def test_the_playgrounds_strings_exist_in_both_languages_with_the_same_placeholders():
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "server" / "carelint" / "static"
    source = (static / "playground-strings.js").read_text(encoding="utf-8")
    en_block, es_block = source.split("\n  es: {")
    tables = [dict(re.findall(r'^    "([\w.]+)": "(.*)",$', block, re.M)) for block in (en_block, es_block)]
    en, es = tables
    assert en and en.keys() == es.keys()
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", es[key])), key
    page = (static / "index.html").read_text(encoding="utf-8")
    script = (static / "playground.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-i18n(?:-placeholder)?="([\w.]+)"', page)) | set(re.findall(r'\bt\("([\w.]+)"', script))
    used |= {k for a, b in re.findall(r't\(\w+ === 1 \? "([\w.]+)" : "([\w.]+)"', script) for k in (a, b)}
    assert used and used <= en.keys(), used - en.keys()
