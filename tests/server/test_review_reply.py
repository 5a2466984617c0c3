"""Review-reply mode (request "context": "review_reply", phi/data/<lang>/review_reply.toml): a reply is
shown under the reviewer's name, so what it says about their care is high PHI; the safe reply
replaces the whole reply; no disclaimer is asked for."""

import pytest

from carelint.phi.review_reply import review_reply
from carelint.settings import Policy

TOKEN = "test-token-rr"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "(555) 201-4400"
POLICY = Policy(org_phones=[PHONE])


def reply(checker, text, policy=POLICY):
    return checker.check(text, "generic", policy=policy, context="review_reply")


def phi(result, severity="high"):
    return [f for f in result.findings if f.category == "phi" and f.severity == severity]


def apply(text, fix):
    return text[: fix.start] + fix.text + text[fix.end :]


@pytest.mark.parametrize("text", [
    # a treatment, no name (the HHS OCR pattern)
    "Sorry the night guard we made for you still hurts.",
    # addressed to the reviewer with a care word, nothing the post-mode lists know
    "We checked and your insurance claim was denied by the carrier, not by us.",
    "Thanks Jordan, we hope to see you at your next cleaning.",
    "Your X-rays from March showed nothing unusual, as we explained.",
    # declining to discuss, but naming the treatment while doing so
    "We can't discuss your root canal here, but please call us.",
    "No podemos hablar de los detalles de su visita aquí.",  # "your visit" presumes one
])
def test_a_reply_about_the_reviewers_care_is_high(checker, text):
    result = reply(checker, text)
    assert phi(result), [(f.rule, f.severity, f.text) for f in result.findings]


@pytest.mark.parametrize("text", [
    "Thanks for the 5 stars, we love our community!",
    "We're sorry to hear about your experience. Please call our office so we can help.",
    "If you have questions about a bill, please call our billing team.",  # said to anyone
    # declining to discuss anyone's care, as the OCR settlements advise; a staff member by role
    "Because of privacy rules we can't respond to the details in your post, but our practice manager "
    "Denise would be glad to speak with you: (617) 555-0133.",
    "We are unable to confirm whether any individual has received care at our practice, and we cannot "
    "discuss treatment in a public forum.",
    "Por las leyes de privacidad no podemos hablar de ningún caso en redes sociales. Llámenos, por favor.",
])
def test_a_reply_that_discloses_nothing_has_no_high_phi(checker, text):
    result = reply(checker, text)
    assert not phi(result) and not phi(result, "medium"), [(f.rule, f.severity, f.text) for f in result.findings]


def test_reply_mode_raises_what_a_post_leaves_at_medium(checker):
    """The same words: as a post a care sentence without a patient may stay medium; as a reply to
    the reviewer it is about a named person."""
    text = "It was a pleasure having you in the office."
    as_post = checker.check(text, "generic", policy=POLICY)
    assert not phi(as_post)
    as_reply = reply(checker, text)
    [finding] = phi(as_reply)
    assert review_reply().driver in finding.drivers


def test_every_phi_finding_offers_the_safe_reply_for_the_whole_reply(checker):
    text = "Hi Dana, sorry you felt rushed. Your crown was placed exactly as planned."
    result = reply(checker, text)
    assert len(phi(result)) >= 2
    for f in result.findings:
        if f.category != "phi":
            continue
        first = f.fixes[0]
        assert (first.start, first.end) == (0, len(text)) and first.label == review_reply().label
        assert PHONE in first.text
    fixed = apply(text, phi(result)[0].fixes[0])
    # The safe reply is Carelint's own: checked again, nothing is flagged.
    after = reply(checker, fixed)
    assert after.findings == [], after.findings


def test_the_safe_reply_has_no_phone_when_the_organisation_has_none(checker):
    result = reply(checker, "Sorry the night guard we made for you still hurts.", policy=Policy())
    text = phi(result)[0].fixes[0].text
    assert text == review_reply().safe_reply([]) and "{phone}" not in text
    assert reply(checker, text, policy=Policy()).findings == []


def test_a_reply_needs_no_disclaimer(checker):
    text = "Flu season is here. A flu shot lowers your risk of severe illness and hospitalisation."
    assert checker.check(text, "generic", policy=POLICY).disclaimer.needed
    result = reply(checker, text)
    assert not result.disclaimer.needed and result.disclaimer.suggested == ""


def test_the_paragraph_cache_keeps_post_and_reply_apart(checker):
    text = "It was a pleasure having you in the office."
    first = phi(reply(checker, text))
    assert not phi(checker.check(text, "generic", policy=POLICY))
    assert phi(reply(checker, text)) == first


def test_the_api_takes_the_context_and_refuses_an_unknown_one(app_client):
    client = app_client(TOKEN)
    text = "Sorry the night guard we made for you still hurts."
    r = client.post("/v1/check", json={"text": text, "context": "review_reply"}, headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert any(f["category"] == "phi" and f["severity"] == "high" and f["fixes"][0]["end"] == len(text)
               for f in body["findings"])
    assert body["disclaimer"]["needed"] is False
    bad = client.post("/v1/check", json={"text": text, "context": "tweet"}, headers=AUTH)
    assert bad.status_code == 422
    assert "context" in bad.text
