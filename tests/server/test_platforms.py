import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carelint.platforms import PLATFORMS, PlatformLength, count_graphemes, graphemes, measure

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy (ZWJ)
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone
FLAG_US = "\U0001f1fa\U0001f1f8"
KEYCAP_ONE = "1\ufe0f\u20e3"
HEART_EMOJI = "\u2764\ufe0f"  # text-style heart + VS16
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"

LIMITS = {
    "x": 280,
    "linkedin": 3000,
    "facebook": 63206,
    "instagram": 2200,
    "tiktok": 4000,
    "threads": 500,
    "bluesky": 300,
    "mastodon": 500,
    "youtube": 5000,
    "generic": 100_000,
}


def length(text: str, platform: str) -> int:
    return measure(text, platform).length


def test_every_platform_is_listed_with_its_limit():
    assert {name: p.limit for name, p in PLATFORMS.items()} == LIMITS


@pytest.mark.parametrize("platform", LIMITS)
def test_measure_reports_limit_length_and_remaining(platform):
    result = measure("Hello, world", platform)
    assert result == PlatformLength(platform, LIMITS[platform], 12, LIMITS[platform] - 12)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.length = 0  # type: ignore[misc]


@pytest.mark.parametrize("platform", LIMITS)
def test_remaining_goes_negative_over_the_limit(platform):
    assert measure("a" * (LIMITS[platform] + 5), platform).remaining == -5


def test_unknown_platform_raises():
    with pytest.raises(ValueError, match="unknown platform"):
        measure("hi", "myspace")


# --- X (twitter-text v3) -----------------------------------------------------------------------------


def test_x_latin_and_common_punctuation_weigh_one():
    assert length("Café — “quoted” ‘text’", "x") == 22


@pytest.mark.parametrize("text", ["日本語", "한국어", "…•"])
def test_x_cjk_and_other_ranges_weigh_two(text):
    assert length(text, "x") == 2 * len(text)


@pytest.mark.parametrize("emoji", ["😀", THUMBS_MEDIUM, FAMILY, FLAG_US, KEYCAP_ONE, HEART_EMOJI, SCOTLAND])
def test_x_each_emoji_sequence_weighs_two(emoji):
    assert length(emoji, "x") == 2
    assert length(f"a{emoji}b", "x") == 4


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://a.co",
        "https://portal.example.com/results?patient_id=558201&visit=9932#top",
        "example.org/5k",
        "www.lakeside-health.org",
    ],
)
def test_x_any_url_weighs_23(url):
    assert length(url, "x") == 23
    assert length(f"Register: {url}. Thanks!", "x") == len("Register: ") + 23 + len(". Thanks!")


def test_x_text_that_only_looks_like_a_domain_is_not_a_url():
    for text in ("billing@lakeside.example", "e.g. rest", "lakeside.example/heart", "p.obrien@example.com"):
        assert length(text, "x") == len(text)


def test_x_normalises_to_nfc_before_counting():
    assert length("e\u0301", "x") == 1  # e + combining acute becomes é


def test_x_exactly_at_the_limit():
    assert measure("a" * 256 + " https://example.com/very/long/path/that/is/long", "x").remaining == 0


# --- Bluesky (graphemes) and the segmenter -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "clusters"),
    [
        ("abc", ["a", "b", "c"]),
        ("e\u0301x", ["e\u0301", "x"]),  # combining mark
        ("a\r\nb", ["a", "\r\n", "b"]),  # CRLF is one cluster
        (FAMILY + "!", [FAMILY, "!"]),  # ZWJ sequence
        (THUMBS_MEDIUM * 2, [THUMBS_MEDIUM, THUMBS_MEDIUM]),  # skin-tone modifiers
        (HEART_EMOJI, [HEART_EMOJI]),  # variation selector
        (FLAG_US + "\U0001f1e8\U0001f1e6", [FLAG_US, "\U0001f1e8\U0001f1e6"]),  # flags pair up
        ("\U0001f1fa\U0001f1f8\U0001f1e8", [FLAG_US, "\U0001f1e8"]),  # odd indicator stands alone
        (KEYCAP_ONE, [KEYCAP_ONE]),
        (SCOTLAND, [SCOTLAND]),  # tag sequence
        ("\u1100\u1161\u11a8", ["\u1100\u1161\u11a8"]),  # Hangul jamo L V T
        ("नमस्ते", ["न", "म", "स्", "ते"]),  # Devanagari vowel signs and virama
        ("a\u200bb", ["a", "\u200b", "b"]),  # format characters stand alone
    ],
)
def test_graphemes(text, clusters):
    assert graphemes(text) == clusters
    assert count_graphemes(text) == len(clusters)


@given(st.text())
def test_graphemes_cover_the_text_exactly(text):
    clusters = graphemes(text)
    assert "".join(clusters) == text
    assert count_graphemes(text) == len(clusters) <= len(text)


def test_bluesky_counts_graphemes():
    assert length(FAMILY * 300, "bluesky") == 300
    assert measure(FAMILY * 301, "bluesky").remaining == -1
    assert length("Hi\r\nthere", "bluesky") == 8


# --- Mastodon, Threads, the UTF-16 platforms, generic -------------------------------------------------


def test_mastodon_urls_count_23_and_remote_mentions_count_the_user_part():
    long_url = "https://status.example.org/incidents/2025/portal-migration"
    assert length(f"Status: {long_url}", "mastodon") == len("Status: ") + 23
    assert length("https://a.co", "mastodon") == 23
    assert length("cc @nurse_kim@med.social", "mastodon") == len("cc @nurse_kim")
    assert length("example.org/5k", "mastodon") == len("example.org/5k")  # bare domains stay text
    assert length(FAMILY, "mastodon") == 1


def test_threads_counts_emoji_by_utf8_bytes():
    assert length("Hi 😀", "threads") == 3 + 4
    assert length(FAMILY, "threads") == len(FAMILY.encode("utf-8")) == 25
    assert length("café", "threads") == 4


@pytest.mark.parametrize("platform", ["linkedin", "facebook", "tiktok", "youtube"])
def test_composer_platforms_count_utf16_units(platform):
    assert length("😀", platform) == 2
    assert length(FAMILY, platform) == 11
    assert length("café 日本", platform) == 7


def test_instagram_counts_code_points_as_the_contract_example_does():
    # api.md: "Congrats to our patient Maria Gonzalez 🎉" has length 40 on instagram.
    assert length("Congrats to our patient Maria Gonzalez 🎉", "instagram") == 40
    assert length(FAMILY, "instagram") == len(FAMILY)


def test_generic_counts_code_points():
    assert length("😀 café", "generic") == 6
