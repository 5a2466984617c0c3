"""A Spanish post in real composers (issue 17): highlights over the server's findings, a card in
the post's language (shared/strings.js), the Spanish disclaimer through the editor's model, and
the guard in Spanish. Plus the string tables themselves: every key in both languages."""

import json
import re
from pathlib import Path

import pytest

from .helpers import expected_highlights
from .test_composers import check, model_text, open_card_for, type_post, wait_highlights

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
LINES = ("Felicitamos a nuestro paciente Julio Ramírez, que ya volvió a casa tras su cirugía de cadera.",
         "La presión alta no da síntomas: mídase la presión una vez al año.")
NAME = "Julio Ramírez"


@pytest.mark.parametrize("name", ["facebook", "x"])
def test_a_spanish_post_gets_highlights_a_spanish_card_and_the_spanish_disclaimer(open_composer, api, name):
    page, composer = open_composer(name)
    text = type_post(page, composer, lines=LINES)
    result = check(api, text, composer.platform, composer.context)
    assert result["lang"] == "es" and any(f["text"] == NAME and f["lang"] == "es" for f in result["findings"])
    wait_highlights(page, expected_highlights(result["findings"]))

    card = open_card_for(page, NAME)
    assert "Riesgo alto: información del paciente" in card.locator("h2").text_content()
    assert card.locator("button.ignore").inner_text() == "Ignorar aquí"
    assert card.locator(".flagged").inner_text().startswith("Marcado:")
    page.mouse.move(0, 0)
    card.wait_for(state="hidden")

    suggested = result["disclaimer"]["suggested"]
    assert "no es consejo médico" in suggested.lower() or "no consejo médico" in suggested  # the form that fits
    button = page.locator("carelint-ui [data-carelint-disclaimer]")
    button.wait_for(state="visible")
    button.click()
    page.wait_for_function("t => window.__fixture.getText() === t", arg=f"{text}\n{suggested}")
    page.keyboard.press("Control+z")
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)


def test_the_guard_asks_in_the_posts_language(open_composer, api):
    page, composer = open_composer("mastodon")
    text = type_post(page, composer, lines=LINES[:1])
    wait_highlights(page, expected_highlights(check(api, text, composer.platform, composer.context)["findings"]))
    page.locator(composer.submit).first.click()
    dialog = page.locator("carelint-ui dialog.guard")
    dialog.wait_for(state="visible")
    assert "todavía tiene avisos de riesgo alto" in dialog.locator("h2").inner_text()
    assert dialog.locator("button.post-anyway").inner_text() == "Publicar de todos modos"
    dialog.locator("button.review").click()
    dialog.wait_for(state="hidden")
    assert page.evaluate("window.__fixture.posted") == [] and model_text(page) == text


# -- the tables -------------------------------------------------------------------------------------

def string_tables():
    """The en and es tables of shared/strings.js, read as written (one "key": "value" per line)."""
    source = (EXTENSION / "shared/strings.js").read_text(encoding="utf-8")
    tables = {}
    for lang in ("en", "es"):
        block = re.search(rf"\n    {lang}: \{{\n(.*?)\n    \}},", source, re.S).group(1)
        tables[lang] = dict(re.findall(r'^\s+"([\w.]+)": "((?:[^"\\]|\\.)*)",$', block, re.M))
    return tables


def test_every_string_exists_in_both_languages_with_the_same_placeholders():
    tables = string_tables()
    assert len(tables["en"]) > 40 and tables["en"].keys() == tables["es"].keys()
    for key, english in tables["en"].items():
        assert set(re.findall(r"\{\w+\}", english)) == set(re.findall(r"\{\w+\}", tables["es"][key])), key
    locales = {lang: json.loads((EXTENSION / f"_locales/{lang}/messages.json").read_text(encoding="utf-8"))
               for lang in ("en", "es")}
    assert locales["en"].keys() == locales["es"].keys()
    manifest = (EXTENSION / "manifest.json").read_text(encoding="utf-8")
    assert set(re.findall(r"__MSG_(\w+)__", manifest)) <= locales["en"].keys()


def test_every_key_the_content_scripts_ask_for_is_in_the_table():
    keys = string_tables()["en"].keys()
    used = set()
    for path in [*EXTENSION.glob("content/*.js"), *EXTENSION.glob("*/*.js"), *EXTENSION.glob("*/*.html")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\((?:[\w.]+, )?"([a-z]+\.[\w]+)"\)?""", text))
        used |= set(re.findall(r'data-i18n="([\w.]+)"', text))
        used |= {f"{prefix}.{s}" for prefix in ("severity", "category")
                 for s in (["high", "medium", "low"] if prefix == "severity"
                           else ["phi", "claim", "advice", "tone", "language"])}
    assert used and used <= keys, used - keys


SPANISH_BROWSER = "Object.defineProperty(navigator, 'language', {get: () => 'es-MX'})"


@pytest.mark.parametrize(("path", "selector", "spanish", "english"), [
    ("popup/popup.html", "#pause", "Pausar 1 hora", "Pause for 1 hour"),
    ("options/options.html", "h1 [data-i18n]", "Opciones de Carelint", "Carelint options"),
    ("welcome/welcome.html", "h1", "Bienvenido a Carelint", "Welcome to Carelint"),
    ("pair/confirm.html", "#close-tab", "Cerrar esta pestaña", "Close this tab"),
])
def test_the_extensions_pages_follow_the_browsers_language(browser_context, extension_id, path, selector, spanish,
                                                            english):
    """A browser set to Spanish gets Spanish pages (shared/strings.js); the same page is English otherwise."""
    for init, words, lang in ((SPANISH_BROWSER, spanish, "es"), (None, english, "en")):
        page = browser_context.new_page()
        try:
            page.set_default_timeout(10000)
            if init:
                page.add_init_script(init)
            page.goto(f"chrome-extension://{extension_id}/{path}")
            page.wait_for_function("l => document.documentElement.lang === l", arg=lang)
            assert page.locator(selector).first.text_content().strip() == words
        finally:
            page.close()


def test_the_popups_server_state_is_in_the_browsers_language(browser_context, extension_id):
    popup = browser_context.new_page()
    try:
        popup.add_init_script(SPANISH_BROWSER)
        popup.goto(f"chrome-extension://{extension_id}/popup/popup.html")
        popup.locator('#server-status[data-state="connected"]').wait_for()
        assert popup.locator("#server-status").inner_text() == "Conectado"
    finally:
        popup.close()
