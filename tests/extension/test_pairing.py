"""Pairing can only be confirmed in the extension's own UI, with the fingerprint the extension
computes from the token: Cancel stores nothing, a look-alike page from another local program
shows its own address and a different fingerprint, a token in a page's markup is never read,
and pairing by hand on the options page goes through the same confirmation."""

from __future__ import annotations

import os

from .pairing import fingerprint, lookalike_server, open_confirmation, sign_in

BEFORE = {"serverUrl": "http://127.0.0.1:9", "token": "an-older-token-1234"}


def new_page(browser_context, console_errors):
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    console_errors.attach(page)
    return page


def assert_no_console_errors(console_errors, allowed=()):
    errors = [e for e in console_errors.all() if not any(a in e for a in allowed)]
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_cancel_stores_nothing(browser_context, storage, server, api, console_errors):
    storage.set(**BEFORE)
    page = new_page(browser_context, console_errors)
    try:
        sign_in(page, api)
        confirm = open_confirmation(browser_context, page)
        console_errors.attach(confirm)
        assert confirm.locator("#pair-fingerprint").inner_text() == fingerprint(server["token"])
        confirm.locator("#pair-cancel").click()
        confirm.locator('#confirmation[data-state="cancelled"]').wait_for()
        assert "nothing was stored" in confirm.locator("#pair-outcome").inner_text()
        assert confirm.locator("#pair-confirm").count() == 0  # answered: nothing left to click
        page.wait_for_function("() => document.documentElement.dataset.carelintPairing === 'cancelled'")
        assert page.evaluate("() => document.documentElement.dataset.carelintPaired") != "yes"
        assert storage.get("serverUrl", "token") == BEFORE
        # The answered request cannot be confirmed afterwards (e.g. from a stale tab).
        stale = confirm.url
        again = browser_context.new_page()
        console_errors.attach(again)
        again.goto(stale)
        again.locator('#confirmation[data-state="expired"]').wait_for()
        assert again.locator("#pair-confirm").count() == 0
        again.close()
        confirm.close()
    finally:
        page.close()
    assert storage.get("serverUrl", "token") == BEFORE
    assert_no_console_errors(console_errors)


def test_escape_cancels_from_the_keyboard(browser_context, storage, api, console_errors):
    storage.set(**BEFORE)
    page = new_page(browser_context, console_errors)
    try:
        sign_in(page, api)
        confirm = open_confirmation(browser_context, page)
        console_errors.attach(confirm)
        confirm.keyboard.press("Escape")
        confirm.locator('#confirmation[data-state="cancelled"]').wait_for()
        assert confirm.evaluate("() => document.activeElement.id") == "close-tab"
        assert storage.get("serverUrl", "token") == BEFORE
        confirm.close()
    finally:
        page.close()
    assert_no_console_errors(console_errors)


def test_lookalike_page_on_another_port_shows_its_own_address_and_fingerprint(
    browser_context, service_worker, storage, server, console_errors
):
    """Another local program serves a page with #pair-extension and a fake /v1/pairing that
    returns its own token (and even displays the real server's fingerprint): the confirmation
    shows that program's address and the fingerprint of the token it gave, and nothing is
    stored without confirming."""
    storage.set(**BEFORE)
    real = fingerprint(server["token"])
    fake_token = "lookalike-" + os.urandom(8).hex()
    with lookalike_server(fake_token, shown_fingerprint=real) as fake:
        assert fake["url"] != server["url"]
        page = new_page(browser_context, console_errors)
        try:
            page.goto(fake["url"] + "/")
            page.wait_for_function("() => document.documentElement.dataset.carelintExtension === 'present'")
            confirm = open_confirmation(browser_context, page)
            console_errors.attach(confirm)
            assert confirm.locator("#pair-server").inner_text() == fake["url"]
            shown = confirm.locator("#pair-fingerprint").inner_text()
            assert shown == fingerprint(fake_token) != real
            assert "/v1/pairing" in fake["requests"]
            pending = service_worker.evaluate("() => chrome.storage.session.get('pendingPairing')")
            assert pending["pendingPairing"]["serverUrl"] == fake["url"]  # kept pending only
            assert storage.get("serverUrl", "token") == BEFORE
            # Closing the tab without answering is a Cancel: the proposal is dropped.
            confirm.close()
            page.wait_for_function("() => document.documentElement.dataset.carelintPairing === 'cancelled'")
            assert service_worker.evaluate("() => chrome.storage.session.get('pendingPairing')") == {}
        finally:
            page.close()
    assert storage.get("serverUrl", "token") == BEFORE
    assert_no_console_errors(console_errors)


def test_token_in_page_markup_is_never_read(browser_context, storage, server, console_errors):
    """A page whose server does not give pairing details (not signed in: 401) pairs nothing,
    even with a token in its markup; a script's synthetic click does nothing at all."""
    storage.set(**BEFORE)
    with lookalike_server(None, shown_fingerprint="", markup_token=server["token"]) as fake:
        page = new_page(browser_context, console_errors)
        pages_before = len(browser_context.pages)
        try:
            page.goto(fake["url"] + "/")
            page.wait_for_function("() => document.documentElement.dataset.carelintExtension === 'present'")
            page.evaluate("() => document.getElementById('pair-extension').click()")  # not a user's click
            page.wait_for_timeout(300)
            assert "/v1/pairing" not in fake["requests"]
            assert page.evaluate("() => document.documentElement.dataset.carelintPairing") is None

            page.locator("#pair-extension").click()
            page.wait_for_function("() => document.documentElement.dataset.carelintPairing === 'failed'")
            assert "not signed in" in page.locator("#pair-status").inner_text()
            assert "carelint serve" in page.locator("#pair-status").inner_text()
            assert len(browser_context.pages) == pages_before  # no confirmation tab
        finally:
            page.close()
    assert storage.get("serverUrl", "token") == BEFORE
    # The refused /v1/pairing request is the only thing the browser logs.
    assert_no_console_errors(console_errors, allowed=("status of 401",))


def test_options_page_pairs_by_hand_after_the_same_confirmation(
    browser_context, extension_id, storage, server, console_errors
):
    storage.set(**BEFORE)
    page = new_page(browser_context, console_errors)
    try:
        page.goto(f"chrome-extension://{extension_id}/options/options.html")
        page.locator("#paired-server", has_text=BEFORE["serverUrl"]).wait_for()
        assert page.locator("#paired-fingerprint").inner_text() == fingerprint(BEFORE["token"])

        # A wrong token is refused by the server before anything is shown to confirm.
        page.fill("#server-url", server["url"])
        page.fill("#token", "not-the-right-token")
        page.click("#save-server")
        page.locator("#server-note", has_text="refused this token").wait_for()
        assert page.locator("#confirmation").is_hidden()

        # The address without a scheme is fine; the fingerprint is shown before saving.
        page.fill("#server-url", server["url"].removeprefix("http://") + "/")
        page.fill("#token", server["token"])
        page.click("#save-server")
        box = page.locator('#confirm-box[data-state="pending"]')
        box.wait_for()
        assert page.locator("#pair-server").inner_text() == server["url"]
        assert page.locator("#pair-fingerprint").inner_text() == fingerprint(server["token"])
        assert BEFORE["serverUrl"] in page.locator("#pair-replaces").inner_text()
        assert storage.get("serverUrl", "token") == BEFORE
        page.click("#pair-confirm")
        page.locator("#server-note", has_text="Paired with").wait_for()
        assert storage.get("serverUrl", "token") == {"serverUrl": server["url"], "token": server["token"]}
        page.locator("#paired-fingerprint", has_text=fingerprint(server["token"])).wait_for()
        page.locator('#server-status[data-state="connected"]').wait_for()

        # Cancel leaves the pairing as it is.
        page.fill("#token", "another-token-5678")
        page.fill("#server-url", server["url"])
        page.fill("#token", server["token"])
        page.click("#save-server")
        page.locator('#confirm-box[data-state="pending"]').wait_for()
        page.click("#pair-cancel")
        page.locator("#server-note", has_text="nothing was saved").wait_for()
        assert storage.get("serverUrl", "token") == {"serverUrl": server["url"], "token": server["token"]}
    finally:
        page.close()
    assert_no_console_errors(console_errors)


def test_popup_shows_the_paired_server_and_its_fingerprint(
    browser_context, extension_id, storage, server, console_errors
):
    page = new_page(browser_context, console_errors)
    try:
        page.goto(f"chrome-extension://{extension_id}/popup/popup.html")
        page.locator("#paired-server", has_text=server["url"]).wait_for()
        assert page.locator("#paired-fingerprint").inner_text() == fingerprint(server["token"])
        page.locator('#server-status[data-state="connected"]').wait_for()
        storage.set(token="")
        page.reload()
        page.locator("[data-not-paired]").wait_for()
        assert "carelint open" in page.locator("[data-not-paired]").inner_text()
    finally:
        page.close()
    assert_no_console_errors(console_errors)
