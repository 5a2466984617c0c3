"""Fuzzing the HTTP API from its own OpenAPI document: schemathesis generates the requests,
Hypothesis runs them (derandomized: the same examples on every run of the same code, whatever
PYTHONHASHSEED; schemathesis also mixes in string constants it reads from the app's source, so a
change to the server can change the examples), in process against the ASGI app (no socket, no
network).

The document is the one the app serves (`GET /openapi.json` with the token), so a field added to
`CheckRequest` or `Policy` is fuzzed without touching this file. Each operation gets bodies that
fit the document (schemathesis' positive mode) and bodies that break it (negative mode: wrong
types, missing or extra fields, not JSON at all). Texts for /v1/check also come from fragments
that the detectors flag (names next to patient cues, identifiers, emoji, combining marks, runs
over the 2,000-character paragraph cut) so that offsets are checked on real findings. Images for
/v1/check-image are schemathesis' minimal valid ones and small Pillow-made ones in every mode their
format takes, with odd metadata (EXIF orientation, GPS rationals, names and text; PNG text chunks;
XMP), as they are, truncated, bit-flipped or replaced by random bytes, under several content
types. A last test puts a fuzzed policy and then checks posts that contain its entries.

schemathesis' own pytest integration (`schemathesis.pytest.from_fixture`) is not used: with the
pinned pytest 9.2 it fails on `request.node._nodeid`. Each test runs schemathesis' per-operation
Hypothesis strategies (`operation.as_strategy`) under `@given` instead.

The property, for every request:
- no response is a 5xx;
- every 4xx carries the contract's JSON error body {"error": {"code", "message"}};
- every 200 of /v1/check satisfies `schemas.CheckResponse`, and each finding's `text` equals the
  request's text sliced by its offsets in the unit asked for (after the server's one rewrite of
  the text: a lone surrogate becomes U+FFFD, which has the same length in both units);
- every other 200 is a JSON object (its schema is checked by schemathesis against the document).

About 35-50 s on 2 cores (model load included). The examples per operation are in EXAMPLES.
"""

from __future__ import annotations

import io
import json
import re
import struct
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin, TiffImagePlugin
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from carelint.app import create_app
from carelint.schemas import CheckResponse, ErrorResponse
from carelint.settings import RuntimeSettings

TOKEN = "fuzz-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BASE_URL = "http://127.0.0.1:8787"  # the guard refuses any Host but loopback names
SEED = 20_251_111  # schemathesis' config seed, fixed; the examples come from Hypothesis, derandomized
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# Examples per operation (Hypothesis may stop early when an operation has fewer distinct inputs:
# the GET routes and the POSTs without a body have exactly one).
EXAMPLES = {
    ("POST", "/v1/check"): 400,
    ("PUT", "/v1/settings"): 300,
    ("POST", "/v1/check-image"): 200,
}
NO_INPUT_OPERATIONS = [
    ("GET", "/v1/health"), ("GET", "/v1/rules"), ("GET", "/v1/settings"), ("GET", "/v1/settings/defaults"),
    ("GET", "/v1/pairing"),
    ("POST", "/v1/login-links"), ("POST", "/v1/extension-origin"),
]
POLICY_THEN_CHECK_EXAMPLES = 200
GENERATION_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                     HealthCheck.large_base_example]


def fuzz_settings(max_examples: int) -> settings:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=GENERATION_CHECKS, print_blob=True)


# --- the app and its document -----------------------------------------------------------------

@pytest.fixture(scope="module")
def app(checker, tmp_path_factory):
    config_dir = tmp_path_factory.mktemp("fuzz-config")
    return create_app(RuntimeSettings(config_dir=config_dir, token=TOKEN, workers=1), checker=checker)


@pytest.fixture(scope="module")
def api(app):
    """The app's OpenAPI document, fetched from the app itself, as a schemathesis schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=schemathesis.Config(seed=SEED),
                                            headers={**AUTH, "Host": "127.0.0.1:8787"})
    schema.config.update(base_url=BASE_URL, headers=AUTH)
    return schema


@pytest.fixture(scope="module")
def tally():
    """Requests and statuses per operation, to show that each test exercised what it claims
    (printed at the end of the module: `pytest -s` or `-rA` shows it)."""
    counts: Counter = Counter()
    yield counts
    for key, n in sorted(counts.items(), key=str):
        print(f"fuzz: {' '.join(map(str, key))}: {n}")


def operations(api) -> set[tuple[str, str]]:
    return {(op.method.upper(), op.path) for op in (r.ok() for r in api.get_all_operations())}


def test_every_operation_of_the_document_is_fuzzed(api):
    assert operations(api) == set(EXAMPLES) | set(NO_INPUT_OPERATIONS)
    components = api.raw_schema["components"]["schemas"]  # the request bodies (api/openapi.py)
    assert "text" in components["CheckRequest"]["properties"] and "staff_names" in components["Policy"]["properties"]


# --- the property -------------------------------------------------------------------------------

def sent_json(response) -> object:
    """The request body as the server parsed it (JSON escapes decoded, surrogate pairs joined)."""
    body = response.request.body
    return json.loads(body) if body else None


def units_slice(text: str, start: int, end: int, unit: str) -> str:
    if unit == "utf16":
        return text.encode("utf-16-le")[start * 2 : end * 2].decode("utf-16-le")
    return text[start:end]


def assert_contract(case, response, tally: Counter) -> None:
    status = response.status_code
    label = f"{case.operation.method.upper()} {case.operation.path}"
    tally[label, status] += 1
    where = f"{label} -> {status}: request {response.request.body!r:.400} response {response.text!r:.400}"
    assert status < 500, where
    if 400 <= status < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), where
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, where
        ErrorResponse.model_validate(body)
        assert body["error"]["code"] and body["error"]["message"], where
        assert "Traceback" not in body["error"]["message"], where
        return
    assert status == 200, where
    case.validate_response(response, checks=[response_schema_conformance])
    body = response.json()
    assert isinstance(body, dict), where
    if label == "POST /v1/check":
        assert_check_response(sent_json(response), body, tally, where)


def assert_check_response(request: dict, body: dict, tally: Counter, where: str) -> None:
    CheckResponse.model_validate(body)
    text = LONE_SURROGATE.sub("\ufffd", request["text"])  # the server's one rewrite (schemas.CheckRequest)
    unit = request.get("offset_unit", "codepoint")
    length = len(text.encode("utf-16-le")) // 2 if unit == "utf16" else len(text)
    assert body["platform"]["name"] == request.get("platform", "generic"), where
    for f in body["findings"]:
        assert 0 <= f["start"] < f["end"] <= length, (f, where)
        assert f["text"] == units_slice(text, f["start"], f["end"], unit), (f, where)
    for r in body["unchecked"]:
        assert 0 <= r["start"] <= r["end"] <= length, (r, where)
    tally["findings checked", unit] += len(body["findings"])


# --- what is generated ---------------------------------------------------------------------------

FRAGMENTS = [
    "Congrats to our patient Maria Gonzalez", "our patient", "Mr. John Smith", "Dr. Ana Lee", "Jane",
    "discharged today after her knee replacement", "MRN 4839201", "MRN: 00123456", "patient ID 88812",
    "call 555-123-4567", "(415) 555-0199", "DOB 03/04/1950", "on 12/05/2023", "age 93", "room 12B bed 2",
    "@jdoe", "jane.doe@example.com", "https://portal.example.org/patient/123", "123 Main St, Springfield",
    "SSN 123-45-6789", "4111 1111 1111 1111", "1EG4-TE5-MK73",
    "cures cancer", "guaranteed to work", "100% effective", "stop taking your medication", "addict",
    "not medical advice", "#health",
    # Spanish (a request may say "lang": "es"; the paragraph's own language decides otherwise)
    "Felicitamos a nuestro paciente Julio Ramírez", "la Sra. Gómez", "cumplió 94 años", "habitación 12B",
    "según su expediente", "estas gotas curan la artritis", "¡garantizado!",
    "Información general, no es consejo médico.",
    "\n\n", "\r\n\r\n", "\n", "\t", " ", "  ", ".", "!", "?",
    "🎉", "👩‍👩‍👧‍👦", "👍🏽", "🇺🇸", "𝔐𝔞𝔯𝔦𝔞", "e\u0301", "\u200b", "\u200d", "\ufeff", "\u00a0", "\u2028",
    "İstanbul", "straße", "ǅ", "ﬁ", "Ⅻ", "\x00", "\ud83d", "\udc4d",  # the last two: lone surrogates
    "x" * 2100, "😀" * 1100, "a " * 1200, "Maria" + "🎉" * 700,
]
PLATFORMS = ["x", "linkedin", "facebook", "instagram", "tiktok", "threads", "bluesky", "mastodon", "youtube",
             "generic"]


def post_texts(extra: list[str] | None = None) -> st.SearchStrategy[str]:
    """Posts made of flagged fragments, odd characters and Hypothesis' own text."""
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12),
                      *([st.sampled_from(extra)] if extra else []))
    joiner = st.sampled_from([" ", "", "\n", ", ", " 🎉 "])
    return st.tuples(st.lists(piece, max_size=14), joiner).map(lambda pair: pair[1].join(pair[0]))


def check_cases(api) -> st.SearchStrategy:
    """schemathesis' cases for POST /v1/check; about two thirds of the positive ones get a composed text."""
    op = api["/v1/check"]["POST"]

    def with_text(pair):
        case, text = pair
        if text is not None and isinstance(case.body, dict) and isinstance(case.body.get("text"), str):
            case.body = {**case.body, "text": text}
        return case

    positive = st.tuples(op.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         st.one_of(st.none(), post_texts(), post_texts())).map(with_text)
    return st.one_of(positive, op.as_strategy(generation_mode=GenerationMode.NEGATIVE))


@st.composite
def pictures(draw) -> tuple[bytes, str]:
    """A small picture made with Pillow: any mode its format takes, noise for pixels, and
    metadata that the check reads (EXIF orientation, GPS rationals, names, free text; PNG text
    chunks; XMP), with odd values among them."""
    fmt = draw(st.sampled_from(["PNG", "JPEG", "WEBP"]))
    mode = draw(st.sampled_from({"PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"],
                                 "JPEG": ["L", "RGB", "CMYK"], "WEBP": ["RGB", "RGBA"]}[fmt]))
    width, height = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    noise = draw(st.randoms(use_true_random=False)).randbytes(width * height)
    picture = Image.frombytes("L", (width, height), noise).convert(mode)
    exif = Image.Exif()
    words = st.one_of(st.sampled_from(FRAGMENTS[:30]), st.text(max_size=30))
    if draw(st.booleans()):
        exif[0x0112] = draw(st.integers(0, 65535))  # orientation: 1-8 are defined
    if draw(st.booleans()):
        exif[0x013B] = draw(words)  # Artist
        exif[0x010E] = draw(words)  # ImageDescription
    if draw(st.booleans()):
        rational = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)).map(
            lambda r: TiffImagePlugin.IFDRational(*r))
        gps = exif.get_ifd(0x8825)
        gps[1], gps[3] = draw(st.sampled_from(["N", "S", "", "X"])), draw(st.sampled_from(["E", "W", ""]))
        gps[2] = tuple(draw(st.lists(rational, min_size=2, max_size=4)))
        gps[4] = tuple(draw(st.lists(rational, min_size=2, max_size=4)))
    options: dict = {"exif": exif.tobytes()} if len(exif) else {}
    if fmt == "PNG" and draw(st.booleans()):
        chunks = PngImagePlugin.PngInfo()
        for key in draw(st.lists(st.sampled_from(["Author", "Description", "Comment", "Title", "XML:com.adobe.xmp"]),
                                 max_size=3)):
            value = draw(words)
            if key.startswith("XML"):
                value = f'<x exif:GPSLatitude="{value[:20]}" photoshop:City="{value[:20]}"/>'
            chunks.add_itxt(key, value)
        options["pnginfo"] = chunks
    if fmt == "JPEG" and draw(st.booleans()):
        options["xmp"] = f'<x exif:GPSLatitude="{draw(words)[:30]}">'.encode("utf-8", "replace")
    buffer = io.BytesIO()
    try:
        picture.save(buffer, fmt, **options)
    except (OSError, ValueError, TypeError, struct.error):  # metadata Pillow itself cannot write
        buffer = io.BytesIO()
        picture.save(buffer, fmt)
    return buffer.getvalue(), f"image/{fmt.lower()}"


def image_cases(api) -> st.SearchStrategy:
    """Pictures (schemathesis' minimal ones and Pillow-made ones), as they are or damaged, under
    their own content type or another."""
    op = api["/v1/check-image"]["POST"]

    def damaged(args):
        case, picture, how, fraction, flips, noise, content_type = args
        data, own_type = picture if picture is not None else (getattr(case.body, "data", case.body), case.media_type)
        if how == "truncated":
            data = data[: max(1, int(len(data) * fraction))]
        elif how == "bit-flipped":
            buffer = bytearray(data)
            for pos, value in flips:
                buffer[pos % len(buffer)] = value
            data = bytes(buffer)
        elif how == "noise after the header":
            data = data[:16] + noise
        elif how == "noise":
            data = noise
        case.body = data
        return case, content_type or own_type

    return st.tuples(
        op.as_strategy(generation_mode=GenerationMode.POSITIVE),
        st.one_of(st.none(), pictures(), pictures()),
        st.sampled_from(["as made", "as made", "truncated", "bit-flipped", "noise after the header", "noise"]),
        st.floats(0.05, 0.95),
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8),
        st.binary(min_size=1, max_size=600),
        st.sampled_from([None, None, None, None, "application/octet-stream", "image/gif", "text/plain"]),
    ).map(damaged)


# --- the tests -----------------------------------------------------------------------------------

def test_fuzz_check(api, tally):
    @fuzz_settings(EXAMPLES["POST", "/v1/check"])
    @given(case=check_cases(api))
    def run(case):
        assert_contract(case, case.call(base_url=BASE_URL, headers=AUTH), tally)

    run()
    assert tally["POST /v1/check", 200] >= 150 and tally["POST /v1/check", 422] >= 50, tally
    # Enough findings had their offsets checked (about 150 per run; fewer since a third of the
    # cases say "lang": "es", where English fragments give fewer findings).
    assert tally["findings checked", "utf16"] + tally["findings checked", "codepoint"] >= 120, tally


def test_fuzz_settings(api, tally):
    op = api["/v1/settings"]["PUT"]
    cases = st.one_of(op.as_strategy(generation_mode=GenerationMode.POSITIVE),
                      op.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @fuzz_settings(EXAMPLES["PUT", "/v1/settings"])
    @given(case=cases)
    def run(case):
        assert_contract(case, case.call(base_url=BASE_URL, headers=AUTH), tally)

    run()
    assert tally["PUT /v1/settings", 200] >= 100 and tally["PUT /v1/settings", 422] >= 50, tally


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")  # Pillow, reading the damaged pictures
def test_fuzz_check_image(api, tally):
    @fuzz_settings(EXAMPLES["POST", "/v1/check-image"])
    @given(case_and_type=image_cases(api))
    def run(case_and_type):
        case, content_type = case_and_type
        headers = AUTH if content_type is None else {**AUTH, "Content-Type": content_type}
        assert_contract(case, case.call(base_url=BASE_URL, headers=headers), tally)

    run()
    assert tally["POST /v1/check-image", 200] >= 3, tally
    assert sum(n for (label, status), n in tally.items() if label == "POST /v1/check-image" and status >= 400) >= 50


@pytest.mark.parametrize(("method", "path"), NO_INPUT_OPERATIONS)
def test_fuzz_operations_without_input(api, tally, method, path):
    @fuzz_settings(20)
    @given(case=api[path][method].as_strategy(generation_mode=GenerationMode.POSITIVE))
    def run(case):
        assert_contract(case, case.call(base_url=BASE_URL, headers=AUTH), tally)

    run()


def test_fuzz_policy_then_check(api, tally):
    """A fuzzed policy (its names, handles and PHI terms also put into the post), then a check."""
    put = api["/v1/settings"]["PUT"]
    check = api["/v1/check"]["POST"]

    @st.composite
    def scenario(draw):
        policy_case = draw(put.as_strategy(generation_mode=GenerationMode.POSITIVE))
        policy = policy_case.body if isinstance(policy_case.body, dict) else {}
        terms = [t for key in ("staff_names", "staff_handles", "extra_phi_terms", "org_addresses", "org_phones")
                 for t in policy.get(key, []) if isinstance(t, str)][:50]
        # Terms the detectors also flag, so the policy decides about real candidates.
        extra = draw(st.lists(st.sampled_from(["Maria Gonzalez", "Jane", "@jdoe", "555-123-4567", "ß", "İ",
                                               "knee replacement", "🎉"]), max_size=4))
        if extra:
            policy = {**policy, "staff_names": (extra + policy.get("staff_names", []))[:2000],
                      "extra_phi_terms": (extra + policy.get("extra_phi_terms", []))[:2000]}
            policy_case.body = policy
        check_case = draw(check.as_strategy(generation_mode=GenerationMode.POSITIVE))
        check_case.body = {**check_case.body, "text": draw(post_texts(terms + extra or None))}
        return policy_case, check_case

    @fuzz_settings(POLICY_THEN_CHECK_EXAMPLES)
    @given(cases=scenario())
    def run(cases):
        policy_case, check_case = cases
        assert_contract(policy_case, policy_case.call(base_url=BASE_URL, headers=AUTH), tally)
        assert_contract(check_case, check_case.call(base_url=BASE_URL, headers=AUTH), tally)

    run()
