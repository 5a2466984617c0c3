"""Images attached in the fixture composers (X's Draft.js and Mastodon's textarea): the file
goes through the service worker to /v1/check-image, boxes are drawn over the preview where
the server found the text, the badge counts the findings, and the guard holds Post."""

import io
import re

import pytest
from PIL import Image, ImageDraw, ImageFont

from live_server import free_port

IMAGE_TIMEOUT = 15000  # OCR: ~1 s per picture on 2 cores, ~2 s more for the first one
CLEAN_POST = "Our clinic opens at 9 on Saturdays."
# Where each fixture shows its preview and how the picture is fitted into it.
PREVIEWS = {
    "x": {"input": '[data-testid="fileInput"]', "img": '[data-testid="attachments"] img', "fit": "fill"},
    "mastodon": {"input": "form.compose-form input[type=file]", "img": ".compose-form__upload img", "fit": "contain"},
}

POSTED_ONCE_JS = "t => window.__fixture.posted.length === 1 && window.__fixture.posted[0] === t"


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def wristband_png() -> bytes:
    img = Image.new("RGB", (900, 320), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(["SMITH, JOHN", "DOB 03/14/1952", "MRN 00482913"]):
        draw.text((40, 30 + i * 90), line, fill="black", font=font)
    return png(img)


def blue_png() -> bytes:
    return png(Image.new("RGB", (640, 400), (30, 90, 220)))


def check_image(api, data: bytes) -> dict:
    r = api.post("/v1/check-image", content=data, headers={"Content-Type": "image/png"})
    r.raise_for_status()
    return r.json()


def attach(page, composer_name, data: bytes, name="photo.png"):
    spec = PREVIEWS[composer_name]
    page.set_input_files(spec["input"], files=[{"name": name, "mimeType": "image/png", "buffer": data}])
    page.locator(spec["img"]).last.wait_for()


def type_text(page, composer, text):
    page.locator(composer.editor).click()
    page.keyboard.type(text)
    page.wait_for_function("t => window.__fixture.getText() === t", arg=text)


BADGE = "carelint-ui .img-badge"

# The overlay's boxes, read from Carelint's shadow root (viewport coordinates).
BOXES_JS = """() => {
    const root = document.querySelector('carelint-ui').shadowRoot;
    return [...root.querySelectorAll('.img-overlay .img-box')].map(b => {
        const r = b.getBoundingClientRect();
        return {x: r.left, y: r.top, w: r.width, h: r.height, severity: b.dataset.severity};
    });
}"""

# The preview's content box (inside border and padding) in viewport coordinates.
CONTENT_BOX_JS = """(sel) => {
    const img = [...document.querySelectorAll(sel)].pop();
    const r = img.getBoundingClientRect(), cs = getComputedStyle(img), px = v => parseFloat(v) || 0;
    return {x: r.left + px(cs.borderLeftWidth) + px(cs.paddingLeft),
            y: r.top + px(cs.borderTopWidth) + px(cs.paddingTop),
            w: img.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight),
            h: img.clientHeight - px(cs.paddingTop) - px(cs.paddingBottom),
            nw: img.naturalWidth, nh: img.naturalHeight};
}"""


def expected_boxes(result, content, fit):
    iw, ih = result["image"]["width"], result["image"]["height"]
    sx, sy = content["w"] / iw, content["h"] / ih
    if fit == "contain":
        sx = sy = min(sx, sy)
    ox, oy = (content["w"] - iw * sx) / 2, (content["h"] - ih * sy) / 2
    return sorted(
        (content["x"] + ox + x * sx, content["y"] + oy + y * sy, w * sx, h * sy)
        for x, y, w, h in (f["box"] for f in result["findings"] if f["box"])
    )


@pytest.mark.parametrize("name", ["x", "mastodon"])
def test_image_findings_are_boxed_counted_and_hold_the_post(open_composer, api, name):
    page, composer = open_composer(name)
    data = wristband_png()
    expected = check_image(api, data)
    high = [f for f in expected["findings"] if f["severity"] == "high"]
    boxed = [f for f in expected["findings"] if f["box"]]
    assert high and boxed, expected

    type_text(page, composer, CLEAN_POST)
    attach(page, name, data)
    badge = page.locator(BADGE)
    n = len(expected["findings"])
    page.wait_for_function(
        "n => { const b = document.querySelector('carelint-ui').shadowRoot.querySelector('.img-badge');"
        " return !!b && b.dataset.count === String(n); }",
        arg=n,
        timeout=IMAGE_TIMEOUT,
    )
    assert badge.inner_text() == f"{n} image issue{'s' if n != 1 else ''}"
    assert badge.get_attribute("data-level") == "high"

    # One box per located finding, where the server found the text, scaled to the preview.
    boxes = page.evaluate(BOXES_JS)
    assert len(boxes) == len(boxed)
    assert {b["severity"] for b in boxes} == {f["severity"] for f in boxed}
    content = page.evaluate(CONTENT_BOX_JS, PREVIEWS[name]["img"])
    assert (content["nw"], content["nh"]) == (expected["image"]["width"], expected["image"]["height"])
    got = sorted((b["x"], b["y"], b["w"], b["h"]) for b in boxes)
    wanted = expected_boxes(expected, content, PREVIEWS[name]["fit"])
    assert len(got) == len(wanted), (got, wanted)
    for g, e in zip(got, wanted, strict=True):
        assert all(abs(a - b) < 1.5 for a, b in zip(g, e, strict=True)), (got, e)
    # The page counts them with the text findings (none here).
    page.wait_for_function(
        "n => document.documentElement.dataset.carelintFindings === String(n)", arg=n, timeout=IMAGE_TIMEOUT
    )

    # The badge's card lists the messages.
    badge.hover()
    card = page.locator("carelint-ui .image-card")
    card.wait_for(state="visible")
    assert high[0]["message"] in card.inner_text()
    page.mouse.move(1, 1)
    card.wait_for(state="hidden")

    # The guard holds Post and lists the image findings.
    page.locator(composer.submit).first.click()
    dialog = page.locator("carelint-ui dialog.guard")
    dialog.wait_for(state="visible")
    items = dialog.locator("li[data-image]")
    assert items.count() == len(high)
    assert items.first.inner_text().startswith("Image: ")
    assert high[0]["message"] in dialog.inner_text()
    assert page.evaluate("window.__fixture.posted") == []
    # "Review" opens the picture's card.
    dialog.locator("button.review").click()
    dialog.wait_for(state="hidden")
    card.wait_for(state="visible")
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")
    assert page.evaluate("window.__fixture.posted") == []

    page.locator(composer.submit).first.click()
    dialog.wait_for(state="visible")
    dialog.locator("button.post-anyway").click()
    page.wait_for_function(POSTED_ONCE_JS, arg=CLEAN_POST)

    # Removing the picture removes its overlay and its count.
    page.locator(".fixture-remove-media").click()
    page.locator("carelint-ui .img-overlay").wait_for(state="detached")
    page.wait_for_function("() => document.documentElement.dataset.carelintFindings === '0'")


@pytest.mark.parametrize("name", ["x", "mastodon"])
def test_clean_image_gets_no_boxes_and_does_not_hold_the_post(open_composer, name):
    page, composer = open_composer(name)
    type_text(page, composer, CLEAN_POST)
    attach(page, name, blue_png(), name="blue.png")
    page.wait_for_function(
        "() => { const b = document.querySelector('carelint-ui').shadowRoot.querySelector('.img-badge');"
        " return !!b && b.dataset.level === 'ok'; }",
        timeout=IMAGE_TIMEOUT,
    )
    assert page.locator(BADGE).inner_text() == "No image issues"
    assert page.evaluate(BOXES_JS) == []
    page.locator(composer.submit).first.click()
    page.wait_for_function(POSTED_ONCE_JS, arg=CLEAN_POST)
    assert not page.locator("carelint-ui dialog.guard").is_visible()


def test_same_picture_is_checked_once(open_composer, service_worker):
    """Attaching the same bytes twice (a re-render, a second preview) asks the server once."""
    page, composer = open_composer("x")
    counter = service_worker.evaluate(
        """() => {
            if (!globalThis.__imageCalls) {
                globalThis.__imageCalls = 0;
                const orig = globalThis.fetch;
                globalThis.fetch = (url, init) => {
                    if (String(url).endsWith('/v1/check-image')) globalThis.__imageCalls++;
                    return orig(url, init);
                };
            }
            return globalThis.__imageCalls;
        }"""
    )
    data = wristband_png()
    attach(page, "x", data)
    attach(page, "x", data, name="again.png")
    page.wait_for_function(
        "() => { const bs = [...document.querySelector('carelint-ui').shadowRoot.querySelectorAll('.img-badge')];"
        " return bs.length === 2 && bs.every(b => b.dataset.level === 'high'); }",
        timeout=IMAGE_TIMEOUT,
    )
    assert service_worker.evaluate("() => globalThis.__imageCalls") - counter == 1


def test_server_down_marks_the_image_not_checked(open_composer, storage):
    storage.set(serverUrl=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    page, composer = open_composer("mastodon")
    type_text(page, composer, CLEAN_POST)
    attach(page, "mastodon", blue_png(), name="offline.png")
    badge = page.locator(BADGE)
    page.wait_for_function(
        "() => { const b = document.querySelector('carelint-ui').shadowRoot.querySelector('.img-badge');"
        " return !!b && b.dataset.level === 'offline'; }",
        timeout=IMAGE_TIMEOUT,
    )
    assert re.fullmatch(r"image not checked \(offline\)", badge.inner_text())
    assert page.evaluate(BOXES_JS) == []
