"""axe-core (the accessibility engine, in the fixtures' npm packages; MPL-2.0, used in tests only)
over Carelint's own UI: the card, the issues panel, the guard, the popup and the options page.
No serious or critical violation (WCAG 2 A and AA rules). Only Carelint's nodes are judged:
the fixture pages stand in for sites we do not own."""

import pytest

from .conftest import FIXTURES
from .test_composers import NAME, check, expected_highlights, open_card_for, type_post, wait_highlights
from .test_states import open_popup

AXE = (FIXTURES / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
RUN = """async (ours) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => JSON.stringify(n.target))
                              .filter(t => !ours || t.includes('carelint-ui'))}))
        .filter(v => v.nodes.length);
}"""


def violations(page, ours_only=True):
    page.evaluate(AXE)  # evaluate is not subject to the page's CSP (the extension pages have one)
    return page.evaluate(RUN, ours_only)


def test_card_panel_and_guard_have_no_serious_violations(open_composer, api):
    page, composer = open_composer("facebook")
    text = type_post(page, composer)
    wait_highlights(page, expected_highlights(check(api, text, "facebook")["findings"]))
    open_card_for(page, NAME)
    # The check sees into Carelint's shadow root: a nameless button put there is reported.
    page.evaluate("() => { const b = document.createElement('button'); b.id = 'axe-control';"
                  " document.querySelector('carelint-ui').shadowRoot.append(b); }")
    assert any(v["id"] == "button-name" for v in violations(page))
    page.evaluate("() => document.querySelector('carelint-ui').shadowRoot.getElementById('axe-control').remove()")
    assert violations(page) == [], "card"
    page.mouse.move(0, 0)
    page.locator("carelint-ui .card").wait_for(state="hidden")
    page.locator("carelint-ui .chip .status").click()
    page.locator("carelint-ui .panel").wait_for(state="visible")
    assert violations(page) == [], "panel"
    page.keyboard.press("Escape")
    page.locator(composer.submit).first.click()
    page.locator("carelint-ui dialog.guard").wait_for(state="visible")
    assert violations(page) == [], "guard"


@pytest.mark.parametrize("which", ["popup", "options"])
def test_popup_and_options_have_no_serious_violations(browser_context, extension_id, storage, which):
    page = browser_context.new_page() if which == "options" else open_popup(browser_context, extension_id)
    try:
        if which == "options":
            page.goto(f"chrome-extension://{extension_id}/options/options.html")
            page.locator("#policy:not([hidden])").wait_for()
        else:
            page.locator('#server-status[data-state="connected"]').wait_for()
        assert violations(page, ours_only=False) == []
    finally:
        page.close()
