import pytest

from carelint.disclaimer import (
    DEFAULT_LONG,
    DEFAULT_SHORT,
    SEPARATOR,
    SHORTEST,
    DisclaimerResult,
    assess,
    gives_health_information,
    has_disclaimer,
)
from carelint.platforms import PLATFORMS, measure
from carelint.settings import Policy

DEFAULT = Policy()


def suggested(text: str, platform: str, policy: Policy = DEFAULT) -> str:
    return assess(text, platform, policy).suggested


# --- Presence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "This is not medical advice.",
        "Not medical advice.",
        "General info only, not medical advice. In an emergency, call 911.",
        "Not a substitute for professional medical advice, diagnosis or treatment.",
        "This content does not constitute medical advice.",
        "For informational purposes only.",
        "*For educational purposes only.*",
        "This post is for general information only.",
        "Information shared here is general in nature.",
        "Talk to your doctor.",
        "Consult your physician before starting any new supplement.",
        "Always check with your pharmacist before mixing medicines.",
        "Speak with your healthcare provider about what\u2019s right for you.",
        "Ask your pediatrician which one is right for your child.",
        "Questions about your meds? Ask your pharmacist.",
        "Do not stop or change medications without talking to your doctor.",
        "If this is an emergency, call 911.",
        "In a medical emergency, call 911 or go to the nearest ER.",
        "Disclaimer: results vary.",
    ],
)
def test_disclaimer_forms_are_recognised(text):
    assert has_disclaimer(text)


@pytest.mark.parametrize(
    "text",
    [
        "Talk to your provider about colorectal cancer screening.",  # a call to action, not a deferral
        "Just ask your doctor for a Z-pack!",
        "Call 911 if you see them.",
        "just don't tell your cardiologist lol",
        "Our doctors give great advice!",
        "For general questions, call our front desk.",
    ],
)
def test_lookalikes_are_not_disclaimers(text):
    assert not has_disclaimer(text)


# --- Health information -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sore throat? Gargle with warm salt water a few times a day and rest your voice.",
        "Know the signs of a stroke: face drooping, arm weakness, speech difficulty.",
        "Staying active during pregnancy can ease back pain and improve sleep.",
        "Ear infections often clear up on their own within a few days.",
        "Feeling anxious? Try box breathing: inhale 4 seconds, hold 4, exhale 4, hold 4.",
        "Ice, don\u2019t heat, a fresh ankle sprain for the first 48 hours.",
        "Kids need 9\u201312 hours of sleep a night.",
        "Chest pain that spreads to your arm or jaw could be a heart attack.",
        "Eating more fiber helps keep you regular and lowers cholesterol.",
        "Diabetes tip: check your feet every day for cuts or sores.",
        "Don't give aspirin to children or teens with flu-like symptoms.",
        "Vitamin D supplements boost your immune system all winter long!",
        "Take 400 mg of ibuprofen every 6 hours for the swelling.",
        "Reminder: if you're 50 or older, ask your doctor about the shingles vaccine.",
        "Struggling with allergies?\nA saline rinse can help.",  # the question carries the topic
        "Nosebleed? Sit up, lean forward, and pinch the soft part of your nose for 10 minutes.",
        "UTIs are more common in women. Drinking water can lower your risk.",
        "Ozempic is basically a miracle drug 💉 lose 30 lbs in a month, no diet needed!",
        "Antidepressants are just a crutch.",  # a myth is health content too
    ],
)
def test_health_information_is_recognised(text):
    assert gives_health_information(text)
    assert assess(text, "generic", DEFAULT).needed


@pytest.mark.parametrize(
    "text",
    [
        "Our new pediatric urgent care opens Monday at 8am on Elm Street.",
        "Thank you to everyone who donated blood at yesterday's drive!",
        "Dr. Patel will be presenting on diabetes research at the ADA Scientific Sessions next week.",
        "Get your flu shot at our drive-thru clinic Saturday, 9am to noon.",
        "Flu shots are now available at all our pharmacies. Walk-ins welcome!",
        "We're hiring! RN, Med/Surg, nights. Send your resume to careers@example.org.",
        "Our 5K raised $40,000 for cancer research. Thank you, runners!",
        "We're sorry to hear about your visit. Please call our patient advocate at 555-0100.",
        "Happy retirement to Nurse Kim after 30 years caring for newborns in our NICU!",
        "Congrats to our cancer center team on their reaccreditation!",
        "Don't miss our heart health fair next month, with free snacks and music.",
        "Our pharmacy team filled 10,000 prescriptions this month. Thank you for trusting us!",
        "Patients can now see test results in the portal within 24 hours.",
        "Proud that our clinic helps diabetics live fuller lives.",
        "Road closure alert: the north entrance is closed through Friday. Please use the Elm St entrance.",
        "Our new MRI is quieter and faster, so scans take about 20 minutes instead of 45.",
        "Wear pink this Friday to support breast cancer awareness!",
        "Our cancer center earned a national award. Stop by the lobby to celebrate with cake!",
        "",
    ],
)
def test_announcements_and_news_are_not_health_information(text):
    assert not gives_health_information(text)
    assert not assess(text, "generic", DEFAULT).needed


def test_a_disclaimer_means_none_is_needed():
    post = "Take ibuprofen with food to protect your stomach."
    assert assess(post, "facebook", DEFAULT).needed
    result = assess(post + " Not medical advice; ask your pharmacist first.", "facebook", DEFAULT)
    assert result == DisclaimerResult(needed=False, present=True, suggested=result.suggested)


# --- The suggested text --------------------------------------------------------------------------------


def test_default_texts():
    assert "not medical advice" in DEFAULT_LONG and "911" in DEFAULT_LONG
    assert DEFAULT_SHORT == "General info only, not medical advice. In an emergency, call 911."
    assert len(SHORTEST) < len(DEFAULT_SHORT) <= 80 < len(DEFAULT_LONG)
    assert suggested("", "generic") == DEFAULT_LONG


def _room_for(text: str, platform: str) -> str:
    """ASCII filler that leaves exactly room for SEPARATOR + text on `platform`."""
    extra = measure(SEPARATOR + text, platform).length
    return "a" * (PLATFORMS[platform].limit - extra)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_gets_the_longest_form_that_fits(platform):
    long, short = DEFAULT_LONG, DEFAULT_SHORT
    assert suggested("Wash your hands.", platform) == long
    assert suggested(_room_for(long, platform), platform) == long
    assert suggested(_room_for(long, platform) + "a", platform) == short
    assert suggested(_room_for(short, platform), platform) == short
    assert suggested(_room_for(short, platform) + "a", platform) == SHORTEST
    assert suggested(_room_for(SHORTEST, platform), platform) == SHORTEST
    assert suggested(_room_for(SHORTEST, platform) + "a", platform) == ""


def test_x_with_a_270_character_post_gets_nothing_and_250_gets_the_shortest():
    assert suggested("a" * 270, "x") == ""
    assert suggested("a" * 250, "x") == SHORTEST


def test_x_counts_the_post_with_its_weighting():
    # 129 emoji weigh 258 on X: 258 + 2 + 19 = 279 fits; one more emoji does not.
    assert suggested("😀" * 129, "x") == SHORTEST
    assert suggested("😀" * 130, "x") == ""
    # The same post is short on Instagram, which counts UTF-16 units.
    assert suggested("😀" * 130, "instagram") == DEFAULT_LONG


def test_trailing_whitespace_is_not_counted():
    assert suggested("a" * 259 + "\n\n   ", "x") == SHORTEST


def test_policy_texts_override_the_defaults():
    policy = Policy(disclaimer_long="Lakeside Health: general information only. Talk to your own doctor.",
                    disclaimer_short="Info only, not advice.")
    assert suggested("Rest and fluids help.", "instagram", policy) == policy.disclaimer_long
    assert suggested(_room_for(policy.disclaimer_short, "x"), "x", policy) == "Info only, not advice."
    only_short = Policy(disclaimer_short="Info only, not advice.")
    assert suggested("Hi", "facebook", only_short) == DEFAULT_LONG


def test_a_policy_text_that_does_not_fit_falls_back_to_the_shortest():
    policy = Policy(disclaimer_short="x" * 200)
    post = "a" * 200
    assert suggested(post, "x", policy) == SHORTEST
