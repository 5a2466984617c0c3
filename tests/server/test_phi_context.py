"""Context decides severity: patients' identifiers are high, staff/officials/events are not."""

import pytest

from carelint.phi.context import PolicyIndex
from carelint.settings import Policy


def phi(checker, text, policy=None):
    result = checker.check(text, "generic", "codepoint", policy or Policy())
    return {f.text: f.severity for f in result.findings if f.category == "phi"}


# (post, span, expected severity) — written for these tests, not copied from the dev set.
PATIENT_POSTS = [
    ("Congrats to our patient Maria Gonzalez on ringing the chemo bell today!", "Maria Gonzalez", "high"),
    ("So proud of Mr. Okafor, who walked out of our rehab unit after his hip replacement.", "Mr. Okafor", "high"),
    ("Get well soon, Tasha! The whole 3 North crew misses you.", "Tasha", "high"),
    ("Patient: R. Delacroix, DOB 04/02/1961, admitted for chest pain.", "04/02/1961", "high"),
    ("Our longtime dialysis patient Edna turns 101 today!", "turns 101", "high"),
    ("The man in bed 9 keeps asking for his wife, Lorraine.", "bed 9", "high"),
    ("Shoutout to @runner_jen, six weeks after her ACL repair with us!", "@runner_jen", "high"),
    ("Please call Mrs. Ito back at 415-555-0199 about her biopsy results.", "415-555-0199", "high"),
    ("Pt J.S. was discharged to hospice on 12/03.", "J.S.", "high"),
    ("MRN 55-1029-3 was left on the printer again.", "55-1029-3", "high"),
    ("Member ID ZQX8812044 for the patient in room 5 is wrong on the form.", "ZQX8812044", "high"),
    ("Our patient from Piedmont Heights is home after her stroke.", "Piedmont Heights", "high"),
    ("Jorge, a teacher at Lincoln Middle School, beat leukemia with our oncology team!", "Jorge", "high"),
    ("Patient of the week: Leo (age 6) from Riverside Elementary was so brave today!", "Leo", "high"),
    ("Big thanks to the Hendersons for the pizza after their son's surgery on Tuesday!", "son's surgery", "high"),
    ("Sending love to Keisha Brown as she starts chemo this week at our cancer center.", "Keisha Brown", "high"),
    ("Jake came in last week with a broken arm and left with a bright blue cast!", "Jake", "high"),
    ("Thanks for the 5 stars, Sarah! Glad your wisdom tooth extraction went smoothly last Tuesday.", "Sarah", "high"),
    ("The gentleman in 12B is recovering from hip surgery and he's 94!", "94", "high"),
    ("That's our girl! Little Maya (3) rang the bell today after finishing chemo.", "Maya", "high"),
    ("Room 12  Mary Jones  NPO after midnight", "Mary Jones", "high"),
]
# A review reply that confirms the relationship or cites records, with no name at all.
REPLY_POSTS = [
    ("Hi Tom, per our notes the crown was placed on 5/2 and you didn't return for follow-up.", "per our notes"),
    ("We looked into this and our records show you cancelled your last two appointments.", "our records show"),
    ("During your visit on May 2 the hygienist noted heavy plaque.", "During your visit"),
    ("We reviewed your chart and the extraction was done as planned.", "We reviewed your chart"),
    ("You were prescribed ibuprofen, not opioids, at that visit.", "You were prescribed"),
]
STAFF_AND_PUBLIC_POSTS = [
    "Happy birthday to our amazing front desk lead, Maria Gonzalez! Cake at 3!",
    "Welcome Dr. Fatima Haddad, our new dermatologist! She starts seeing patients March 3.",
    "Mayor Linda Okafor toured our new behavioral health unit today. Thank you for your support!",
    "Congratulations to our CEO, Mr. Abdul Karim, on the Community Leadership Award!",
    "Free flu shots Saturday, October 4 at the Eastgate Library, 10am to 2pm.",
    "Questions about your bill? Call our billing office at 800-555-0134 or email billing@clinic.example.",
    "Our volunteer Walt, 91, has knitted 600 hats for our newborns. Thank you, Walt!",
    "Happy 90th birthday to our hospital! Founded in 1935 on Route 9.",
    "Meet our new hire, Kenji Watanabe, PharmD, who grew up in Honolulu.",
    "Thank you Senator Rosa Martinez for visiting our clinic and meeting our nurses.",
    "Kegels: squeeze for 3 seconds, relax for 3 seconds, 10 reps. Ask your doctor.",
    "If your kid's fever is over 104, call your pediatrician tonight.",
    "Congrats Dr. Amy Liu on her promotion to Chief of Pediatrics!",
    "Lisa in billing just hit 20 years with us. Congrats Lisa!",
    "Our 5K raised $40,000 for the Johnson Family Cancer Center. Thanks to all runners!",
    "We're proud to partner with Lincoln High School on a concussion awareness program.",
    "Our volunteer Walter Brennan, 91, has knitted 600 hats for newborns in our maternity ward!",
    "Will you join us for a free blood pressure check on Saturday?",
    "Huge thanks to Officer Daniel Ruiz and the Springfield PD for visiting our pediatric floor!",
    "Lakeside Hospital has a new 3T MRI, open for appointments from Monday, May 5.",
    "Huge thanks to Officer Brandon Tate and the Riverside Fire Department for the safety demo!",
]


@pytest.mark.parametrize(("text", "settled"), [
    ("Thank you Officer Ramirez for dropping off lunch for our staff!", ["Officer", "Ramirez"]),
    ("Our practice manager Denise would be glad to speak with you about this review.", ["Denise"]),
    # named as staff once (a credential), the same person later in the post is still staff
    ("Happy 25th work anniversary to Tamara Owusu, RN! Tamara has worked nights on 4 West since 2000. "
     "We are lucky to have you, Tamara!", ["Tamara"]),
    # "our patient advocate" is a role, not "our patient"
    ("Please call our patient advocate, Lorna Fitch, at 555-0150 and she will follow up.", ["Lorna Fitch", "555-0150"]),
    # what the number is for, said after it
    ("Dr. Ibe is now accepting new patients. Call 646-555-0143 to book.", ["646-555-0143"]),
    ("La Dra. Ruiz ya acepta pacientes nuevos. Al (213) 555-0199 para agendar su cita.", ["(213) 555-0199"]),
])
def test_staff_and_the_organisations_own_contacts_stay_settled(checker, text, settled):
    """The hand-written verdict on a titled name (staff, officials, a name already given to staff)
    and on the organisation's own phone is not overturned by the learned span head; a title word
    alone is never a candidate."""
    found = [f.text for f in checker.check(text).findings if f.category == "phi" and f.severity]
    assert not [t for t in found if t in settled], found


@pytest.mark.parametrize(("text", "span", "severity"), PATIENT_POSTS)
def test_patient_identifiers_are_high(phi_checker, text, span, severity):
    found = phi(phi_checker, text)
    covering = [sev for t, sev in found.items() if span in t or t in span]
    assert severity in covering, f"{span!r} not {severity} in {found}"


@pytest.mark.parametrize(("text", "span"), REPLY_POSTS)
def test_review_replies_that_cite_records_are_phi(phi_checker, text, span):
    found = phi(phi_checker, text)
    assert any(span.lower() in t.lower() or t.lower() in span.lower() for t, s in found.items() if s == "high"), found


@pytest.mark.parametrize("text", STAFF_AND_PUBLIC_POSTS)
def test_staff_officials_events_and_own_contacts_are_not_high(phi_checker, text):
    found = phi(phi_checker, text)
    assert "high" not in found.values(), found


@pytest.mark.parametrize(("text", "own", "patients"), [
    # A reply's offer to talk offline: the organisation's toll-free line and role mailbox.
    ("We're sorry to hear this. Our Patient Advocacy team would like to help; you can reach them at "
     "1-888-555-0147 or patientadvocacy@lakeshorehealth.org.",
     ["1-888-555-0147", "patientadvocacy@lakeshorehealth.org"], []),
    ("Lamentamos su experiencia. Puede comunicarse con nuestro equipo al 1-800-555-0190 o "
     "atencionalpaciente@clinicadelvalle.org.", ["1-800-555-0190", "atencionalpaciente@clinicadelvalle.org"], []),
    # The reviewer's own number and address stay patient information; so does a patient's number
    # before what it was used for.
    ("We called our patient Maria at 555-0100 to schedule her follow-up after the biopsy.", [], ["Maria"]),
    ("We tried to call you at 312-555-0182 and emailed jorge.morales88@gmail.com about your results.", [],
     ["312-555-0182", "jorge.morales88@gmail.com"]),
])
def test_a_replys_own_contact_details_are_not_the_reviewers(checker, text, own, patients):
    found = {f.text: f.severity for f in checker.check(text, context="review_reply").findings if f.category == "phi"}
    assert not [t for t in own if t in found], found
    assert all(found.get(t) == "high" for t in patients), found


def test_role_mailboxes_are_told_from_personal_addresses():
    from carelint.phi.cues import default_cues, is_org_mailbox

    parts = default_cues().org_email_local_parts
    assert all(is_org_mailbox(local, parts) for local in
               ["billing", "front.desk", "patientexperience", "medicalrecords", "guest_relations", "records-team"])
    assert not any(is_org_mailbox(local, parts) for local in
                   ["jorge.morales88", "helloitsjen", "maria.gonzalez", "infantino.r", "karen.h"])


def test_conditional_advice_is_not_a_disclosure(phi_checker):
    assert phi(phi_checker, "If you missed your appointment, call us to reschedule.") == {}


def test_allowlisted_staff_name_is_dropped(phi_checker):
    text = "Big thanks to Dana Whitfield for the cookies today after her shift in our ICU!"
    assert "high" in phi(phi_checker, text).values()
    allow = Policy(staff_names=["Dana Whitfield"])
    assert "Dana Whitfield" not in phi(phi_checker, text, allow)


def test_allowlisted_handle_and_org_phone_are_dropped(phi_checker):
    text = "Our patient @casey_k called 617-555-0100 after her surgery."
    found = phi(phi_checker, text)
    assert found.get("@casey_k") == "high" and found.get("617-555-0100") == "high"
    policy = Policy(staff_handles=["@casey_k"], org_phones=["(617) 555-0100"])
    after = phi(phi_checker, text, policy)
    assert "@casey_k" not in after and "617-555-0100" not in after


def test_extra_phi_terms_from_policy_are_high(phi_checker):
    policy = Policy(extra_phi_terms=["Project Bluebird"])
    assert phi(phi_checker, "Update on project bluebird tomorrow.", policy) == {"project bluebird": "high"}


def test_titles_are_part_of_the_name_span(phi_checker):
    found = phi(phi_checker, "Mrs. Kim is recovering from her knee surgery in our unit.")
    assert found.get("Mrs. Kim") == "high"


def test_a_large_policy_is_indexed_once_and_its_longest_terms_win(phi_checker):
    policy = Policy(extra_phi_terms=[f"code name {i}" for i in range(1998)] + ["Bluebird", "Bluebird East"],
                    staff_names=[f"Staff Member{i}" for i in range(2000)])
    built = []
    original = PolicyIndex.of
    try:
        PolicyIndex.of = classmethod(lambda cls, p: built.append(p) or original.__func__(cls, p))
        first = phi(phi_checker, "Update on Bluebird East and code name 1997 tomorrow.", policy)
        phi(phi_checker, "Another post about code name 7.", policy)
    finally:
        PolicyIndex.of = original
    assert first.get("Bluebird East") == "high" and first.get("code name 1997") == "high"
    assert len(built) == 1
