"""Server states (offline, wrong token), popup and options, pairing from the server's
page (confirmed with the fingerprint; more cases in test_pairing.py), the ignore and staff
buttons (with the options page's ignore list), the source link and the per-site switch."""

import contextlib
import re

import pytest

from live_server import free_port

from .helpers import HIGHLIGHTS_EQUAL_JS
from .pairing import fingerprint, open_confirmation, sign_in
from .test_composers import NAME, check, expected_highlights, type_post, wait_highlights

OFFLINE_POST = "Call Maria at 555-123-4567 🎉 or write to maria.g@example.org"


def chip_status(page):
    return page.locator("carelint-ui .chip .status")


@pytest.mark.parametrize("name", ["x", "mastodon"])
def test_server_down_says_offline_and_still_flags_built_in_patterns(open_composer, storage, name):
    storage.set(serverUrl=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    page, composer = open_composer(name)
    type_post(page, composer, lines=(OFFLINE_POST,))
    wait_highlights(page, {"high": [], "medium": ["555-123-4567", "maria.g@example.org"], "low": []})
    status = chip_status(page)
    status.wait_for(state="visible")
    assert re.search(r"Offline check \(server offline\)", status.inner_text())
    assert status.get_attribute("data-offline") == "true"


def test_wrong_token_is_reported_and_falls_back_to_offline_check(open_composer, storage):
    storage.set(token="not-the-token")
    page, composer = open_composer("bluesky")
    type_post(page, composer, lines=(OFFLINE_POST,))
    wait_highlights(page, {"high": [], "medium": ["555-123-4567", "maria.g@example.org"], "low": []})
    assert "wrong token" in chip_status(page).inner_text()


def open_popup(browser_context, extension_id, tab_page=None, service_worker=None):
    query = ""
    if tab_page is not None:
        # The popup normally asks for the active tab; opened as a page it is told which.
        tab_page.bring_to_front()
        tab_id = service_worker.evaluate(
            "() => chrome.tabs.query({active: true, lastFocusedWindow: true}).then(ts => ts[0].id)"
        )
        query = f"?tab={tab_id}"
    popup = browser_context.new_page()
    popup.set_default_timeout(10000)
    popup.goto(f"chrome-extension://{extension_id}/popup/popup.html{query}")
    return popup


def test_popup_shows_status_count_and_switches_the_site_off(
    open_composer, browser_context, extension_id, service_worker, storage, api
):
    page, composer = open_composer("x")
    text = type_post(page, composer)
    expected = expected_highlights(check(api, text, "x")["findings"])
    wait_highlights(page, expected)
    total = sum(len(v) for v in expected.values())

    popup = open_popup(browser_context, extension_id, page, service_worker)
    try:
        popup.locator('#server-status[data-state="connected"]').wait_for()
        assert popup.locator("#server-status").inner_text() == "Connected"
        popup.locator("#tab-info").wait_for(state="visible")
        assert popup.locator("#tab-count").inner_text() == str(total)
        assert popup.locator("#site-name").inner_text() == "X"
        popup.locator("#site-enabled").uncheck()
        page.wait_for_function(HIGHLIGHTS_EQUAL_JS, arg={"high": [], "medium": [], "low": []})
        popup.locator("#site-enabled").check()
        wait_highlights(page, expected)
    finally:
        popup.close()

    storage.set(serverUrl=f"http://127.0.0.1:{free_port()}")
    popup = open_popup(browser_context, extension_id)
    try:
        popup.locator('#server-status[data-state="offline"]').wait_for()
        assert popup.locator("#server-status").inner_text() == "Server offline"
    finally:
        popup.close()

    storage.connect()
    storage.set(token="wrong-token")
    popup = open_popup(browser_context, extension_id)
    try:
        popup.locator('#server-status[data-state="unauthorized"]').wait_for()
        assert "Wrong token" in popup.locator("#server-status").inner_text()
    finally:
        popup.close()


def test_pairing_from_the_server_page_waits_for_the_fingerprint_confirmation(
    browser_context, extension_id, storage, server, api, console_errors
):
    """The signed-in playground hands the token to the extension, which opens its own
    confirmation tab with the server's address and the fingerprint `carelint serve` printed;
    only "Pair with this server" stores anything."""
    before = {"serverUrl": "http://127.0.0.1:9", "token": "an-older-token-1234"}
    storage.set(**before)
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    console_errors.attach(page)
    confirm = None
    try:
        sign_in(page, api)
        expected = api.get("/v1/pairing").json()["fingerprint"]
        assert expected == fingerprint(server["token"])
        page.locator("#pair-fingerprint", has_text=expected).wait_for()  # the playground shows it too

        confirm = open_confirmation(browser_context, page)
        console_errors.attach(confirm)
        assert confirm.url.startswith(f"chrome-extension://{extension_id}/pair/confirm.html")
        assert confirm.locator("#pair-server").inner_text() == server["url"]
        assert confirm.locator("#pair-fingerprint").inner_text() == expected
        assert "carelint serve" in confirm.locator("#pair-compare").inner_text()
        assert storage.get("serverUrl", "token") == before  # nothing stored yet
        page.wait_for_function("() => document.documentElement.dataset.carelintPairing === 'confirming'")

        # Keyboard: the heading has the focus, Tab reaches "Pair with this server" first.
        confirm.keyboard.press("Tab")
        assert confirm.evaluate("() => document.activeElement.id") == "pair-confirm"
        confirm.keyboard.press("Enter")
        confirm.locator('#confirmation[data-state="paired"]').wait_for()
        assert storage.get("serverUrl", "token") == {"serverUrl": server["url"], "token": server["token"]}
        assert server["url"] in confirm.locator("#pair-outcome").inner_text()
        # The page learns the outcome (the playground then says "Paired.").
        page.wait_for_function("() => document.documentElement.dataset.carelintPaired === 'yes'")
        page.locator("#pair-status", has_text="Paired").wait_for()
    finally:
        if confirm is not None:
            confirm.close()
        page.close()
    errors = console_errors.all()
    assert not errors, errors


def test_staff_button_asks_first_and_only_confirm_changes_the_policy(open_composer, api, storage):
    before = api.get("/v1/settings").json()
    page, composer = open_composer("facebook")
    try:
        text = type_post(page, composer)
        wait_highlights(page, expected_highlights(check(api, text, "facebook")["findings"]))
        from .test_composers import open_card_for

        card = open_card_for(page, NAME)
        card.locator("button.staff", has_text="This is our staff").click()
        question = card.locator(".confirm-staff")
        question.wait_for(state="visible")
        assert question.locator("p").inner_text() == (
            f"Add “{NAME}” to the organisation's staff list? Carelint will stop flagging this name for "
            "everyone using these settings."
        )
        # The safe choice has the keyboard focus; the card's other actions are out of the way.
        assert (
            page.evaluate("() => document.querySelector('carelint-ui').shadowRoot.activeElement.className") == "cancel"
        )
        assert not card.locator(".actions").first.is_visible()
        assert api.get("/v1/settings").json() == before  # nothing happened yet

        question.locator("button.cancel").click()
        question.wait_for(state="detached")
        assert card.locator("button.staff").is_visible()
        assert api.get("/v1/settings").json() == before
        assert storage.get("ignoredTexts") == {}
        wait_highlights(page, expected_highlights(check(api, text, "facebook")["findings"]))

        card.locator("button.staff").click()
        question.locator("button.confirm", has_text="Confirm").click()
        card.wait_for(state="hidden")
        settings = api.get("/v1/settings").json()
        assert NAME in settings["staff_names"]
        # The post is checked again under the new policy: what is painted is what the
        # server now says.
        wait_highlights(page, expected_highlights(check(api, text, "facebook")["findings"]))
    finally:
        api.put("/v1/settings", json=before).raise_for_status()


NAME_GONE_JS = "n => ![...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === n)"
NAME_SHOWN_JS = "n => [...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === n)"


def test_always_ignore_hides_the_finding_everywhere_and_the_options_page_removes_it(
    open_composer, browser_context, extension_id, storage, api
):
    before = api.get("/v1/settings").json()
    page, composer = open_composer("x")
    text = type_post(page, composer)
    findings = check(api, text, "x")["findings"]
    wait_highlights(page, expected_highlights(findings))
    from .test_composers import open_card_for

    card = open_card_for(page, NAME)
    assert card.locator("button.ignore").inner_text() == "Ignore here"
    card.locator("button.always-ignore", has_text="Always ignore").click()
    card.wait_for(state="hidden")
    others = [f for f in findings if f["text"] != NAME]
    wait_highlights(page, expected_highlights(others))
    assert storage.get("ignoredTexts") == {"ignoredTexts": [NAME]}
    assert api.get("/v1/settings").json() == before  # a personal list: the server is not told

    # Everywhere: another composer on another site hides it too.
    other, other_composer = open_composer("mastodon")
    other_text = type_post(other, other_composer)
    wait_highlights(
        other, expected_highlights([f for f in check(api, other_text, "mastodon")["findings"] if f["text"] != NAME])
    )

    options = browser_context.new_page()
    options.set_default_timeout(10000)
    try:
        options.goto(f"chrome-extension://{extension_id}/options/options.html")
        item = options.locator("#ignored-list li")
        item.wait_for()
        assert item.locator(".ignored-text").inner_text() == NAME
        remove = item.locator("button.remove")
        assert remove.inner_text() == "Remove" and NAME in remove.get_attribute("aria-label")
        remove.focus()
        options.keyboard.press("Enter")
        item.wait_for(state="detached")
        options.locator("#ignored-empty").wait_for(state="visible")
        assert storage.get("ignoredTexts") == {"ignoredTexts": []}
    finally:
        options.close()
    # Undone: the name is flagged again in the open composer.
    page.wait_for_function(NAME_SHOWN_JS, arg=NAME)
    wait_highlights(page, expected_highlights(findings))

    # Entries match in any case.
    storage.set(ignoredTexts=[NAME.upper()])
    page.wait_for_function(NAME_GONE_JS, arg=NAME)


def test_source_line_links_only_to_an_https_source(open_composer, api):
    page, composer = open_composer("bluesky")
    text = type_post(page, composer)
    findings = check(api, text, "bluesky")["findings"]
    finding = next(f for f in findings if f["text"] == NAME)
    wait_highlights(page, expected_highlights(findings))
    from .test_composers import open_card_for

    card = open_card_for(page, NAME)
    source = card.locator(".source")
    assert source.inner_text() == f"Source: {finding['source']}"
    url = finding.get("source_url")
    if url and url.startswith("https://"):
        link = source.locator("a")
        assert link.get_attribute("href") == url
        assert link.get_attribute("target") == "_blank"
        assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
        assert link.inner_text() == finding["source"]
    else:  # no address from this server: plain text, no empty or broken link
        assert source.locator("a").count() == 0


def test_options_page_edits_the_policy_and_threshold(browser_context, extension_id, storage, api):
    before = api.get("/v1/settings").json()
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(f"chrome-extension://{extension_id}/options/options.html")
        page.locator('#server-status[data-state="connected"]').wait_for()
        page.locator("#policy:not([hidden])").wait_for()
        page.fill("#staff_names", "Dr. Ana Ruiz\nNurse Sam Lee")
        page.fill("#disclaimer_short", "Info only, not medical advice.")
        page.click("#save-policy")
        page.locator("#policy-note", has_text="Saved.").wait_for()
        settings = api.get("/v1/settings").json()
        assert settings["staff_names"] == ["Dr. Ana Ruiz", "Nurse Sam Lee"]
        assert settings["disclaimer_short"] == "Info only, not medical advice."
        assert {k: v for k, v in settings.items() if k not in ("staff_names", "disclaimer_short")} == {
            k: v for k, v in before.items() if k not in ("staff_names", "disclaimer_short")
        }
        page.select_option("#min-severity", "high")
        assert storage.get("minSeverity") == {"minSeverity": "high"}
    finally:
        api.put("/v1/settings", json=before).raise_for_status()
        page.close()


def test_options_page_shows_defaults_names_and_edits_every_setting(browser_context, extension_id, storage, api):
    """Empty disclaimers show the server's defaults; sites by their names; every policy setting is
    editable, rules by what they say (their id in small print)."""
    before = api.get("/v1/settings").json()
    defaults = api.get("/v1/settings/defaults").json()
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    try:
        api.put("/v1/settings", json={**before, "disclaimer_short": None, "disclaimer_long": None}).raise_for_status()
        page.goto(f"chrome-extension://{extension_id}/options/options.html")
        page.locator("#policy:not([hidden])").wait_for()
        page.locator("#rules input[data-rule]").first.wait_for()
        assert page.get_attribute("#disclaimer_short", "placeholder") == defaults["disclaimer_short"]
        assert page.get_attribute("#disclaimer_long", "placeholder") == defaults["disclaimer_long"]
        assert page.locator("#sites label", has_text="Threads").count() == 1
        assert page.locator("#sites label", has_text="Google Business Profile").count() == 1
        rule = api.get("/v1/rules").json()["rules"][0]
        row = page.locator("#rules label", has=page.locator(f'input[data-rule="{rule["id"]}"]'))
        assert rule["message"] in row.inner_text()
        row.locator("input").uncheck()
        page.fill("#org_addresses", "12 Main St, Springfield")
        page.fill("#org_phones", "(555) 201-4400")
        page.fill("#extra_phi_terms", "Room 5B")
        page.click("#save-policy")
        page.locator("#policy-note", has_text="Saved.").wait_for()
        settings = api.get("/v1/settings").json()
        assert settings["disabled_rules"] == [*before["disabled_rules"], rule["id"]]
        assert settings["org_addresses"] == ["12 Main St, Springfield"]
        assert settings["org_phones"] == ["(555) 201-4400"]
        assert settings["extra_phi_terms"] == ["Room 5B"]
        assert settings["disclaimer_short"] in (None, "")
    finally:
        api.put("/v1/settings", json=before).raise_for_status()
        page.close()


def test_pause_for_an_hour_stops_checking_until_resumed(open_composer, browser_context, extension_id, service_worker):
    page, composer = open_composer("mastodon")
    type_post(page, composer)
    page.wait_for_function("() => (CSS.highlights.get('carelint-high') || {size: 0}).size > 0")
    popup = open_popup(browser_context, extension_id, page, service_worker)
    try:
        popup.click("#pause")
        popup.locator("#paused-note").wait_for(state="visible")
        assert "Paused until" in popup.locator("#paused-note").inner_text()
        page.wait_for_function("() => !(CSS.highlights.get('carelint-high') || {size: 0}).size")
        page.locator(composer.submit).first.click()  # nothing holds the post while paused
        page.wait_for_function("() => window.__fixture.posted.length === 1")
        popup.click("#resume")
        popup.locator("#pause").wait_for(state="visible")
        page.wait_for_function("() => (CSS.highlights.get('carelint-high') || {size: 0}).size > 0")
    finally:
        popup.close()


class SwitchableProxy:
    """A TCP forwarder to the real server on its own port, which the test can stop (the server
    'goes away': connections refused) and start again on the same port."""

    def __init__(self, target_port: int):
        import socket
        import threading

        self.socket, self.threading = socket, threading
        self.target = target_port
        self.port = free_port()
        self.listener = None
        self.conns: list = []

    def start(self):
        s = self.socket.socket()
        s.setsockopt(self.socket.SOL_SOCKET, self.socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.listener = s
        self.threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s):
        while True:
            try:
                client, _ = s.accept()
            except OSError:
                return
            upstream = self.socket.create_connection(("127.0.0.1", self.target))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                self.threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()

    def stop(self):
        for sock in [self.listener, *self.conns]:
            with contextlib.suppress(OSError):  # shutdown wakes threads blocked in accept/recv
                sock.shutdown(self.socket.SHUT_RDWR)
            sock.close()
        self.conns = []


OFFLINE_IS = (
    "v => document.querySelector('carelint-ui').shadowRoot.querySelector('.chip .status').dataset.offline === v"
)


def test_server_going_away_keeps_its_findings_and_reconnects_by_itself(open_composer, storage, server):
    """The server stops while the user types: its last findings stay (stale, still held by the
    guard) while their text is unchanged, the chip says offline, and once the server answers
    again the composer is checked again within about 2 s, with no keystroke."""
    proxy = SwitchableProxy(server["port"])
    proxy.start()
    try:
        storage.set(serverUrl=f"http://127.0.0.1:{proxy.port}")
        page, composer = open_composer("mastodon")
        type_post(page, composer)
        page.wait_for_function(
            "n => [...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === n)", arg=NAME
        )
        proxy.stop()
        page.keyboard.type(" Thanks!")  # an edit away from the name: checked offline
        status = chip_status(page)
        page.wait_for_function(OFFLINE_IS, arg="true")
        assert "last server check kept" in status.inner_text()
        # The name is still marked, and the guard still holds the post for it.
        assert page.evaluate(
            "n => [...(CSS.highlights.get('carelint-high') || [])].some(r => r.toString() === n)", NAME
        )
        page.locator(composer.submit).first.click()
        dialog = page.locator("carelint-ui dialog.guard")
        dialog.wait_for(state="visible")
        assert NAME in dialog.inner_text()
        dialog.locator("button.review").click()
        page.keyboard.press("Escape")
        assert page.evaluate("window.__fixture.posted") == []

        proxy.start()
        page.wait_for_function(OFFLINE_IS, arg="false", timeout=6000)
        assert "Offline" not in status.inner_text()
    finally:
        proxy.stop()


def test_install_opens_the_welcome_page(service_worker, extension_id):
    """The session's Chromium installed the extension into a new profile: the welcome tab opened."""
    import time

    url = f"chrome-extension://{extension_id}/welcome/welcome.html"
    tabs = "() => chrome.tabs.query({}).then(ts => ts.map(t => t.url || t.pendingUrl))"
    deadline = time.monotonic() + 15
    while url not in service_worker.evaluate(tabs) and time.monotonic() < deadline:
        service_worker.evaluate("() => new Promise(r => setTimeout(r, 200))")
    assert url in service_worker.evaluate(tabs)


def test_the_welcome_page_asks_for_sites_only_when_they_are_not_allowed(browser_context, extension_id):
    """Chrome grants the composers' sites at install: the welcome page does not ask for them."""
    page = browser_context.new_page()
    try:
        page.goto(f"chrome-extension://{extension_id}/welcome/welcome.html")
        page.wait_for_function("() => document.querySelector('#server-state').dataset.state !== 'looking'")
        assert page.evaluate("() => chrome.permissions.contains({origins: ['https://x.com/*', 'https://bsky.app/*']})")
        assert page.locator("#step-sites").is_hidden()
    finally:
        page.close()


def test_before_pairing_the_chip_says_set_up_and_opens_the_welcome_page(open_composer, storage, browser_context):
    storage.set(token="")
    page, composer = open_composer("mastodon")
    type_post(page, composer, lines=(OFFLINE_POST,))
    # No text leaves the page; the built-in patterns still run.
    wait_highlights(page, {"high": [], "medium": ["555-123-4567", "maria.g@example.org"], "low": []})
    status = chip_status(page)
    page.wait_for_function("() => document.querySelector('carelint-ui').shadowRoot"
                           ".querySelector('.chip .status').dataset.state === 'unpaired'")
    assert status.inner_text() == "Not connected to Carelint — set up"
    with browser_context.expect_page() as opened:
        status.click()
    welcome = opened.value
    try:
        welcome.wait_for_url("**/welcome/welcome.html")
    finally:
        welcome.close()


def test_welcome_page_finds_the_server_and_checks_the_sample_once_paired(
    browser_context, extension_id, storage, server
):
    page = browser_context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(f"chrome-extension://{extension_id}/welcome/welcome.html")
        page.locator('#server-state[data-state="found"]').wait_for()
        assert server["url"] in page.locator("#server-state").inner_text()
        page.locator('#pair-state[data-state="paired"]').wait_for()
        assert fingerprint(server["token"]) in page.locator("#pair-state").inner_text()
        page.click("#demo-check")
        item = page.locator("#demo-findings li", has=page.locator("q", has_text=NAME))
        item.wait_for()
        assert item.get_attribute("data-severity") == "high"
        assert item.inner_text().startswith("High risk:")
    finally:
        page.close()
