"""The fixture composer pages: each platform's real URL, the editor family behind it, and
the selectors a user (and the test) would use. The pages live in
tests/fixtures/composers/pages and are built from the real editor packages."""

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Composer:
    name: str
    url: str
    page: str
    bundle: str
    family: str
    editor: str  # Playwright selector (pierces open shadow roots)
    submit: str
    platform: str
    ctrl_enter: bool = False
    counter: str | None = None
    limit: int | None = None
    context: str = "post"  # "review_reply": the server is told the text is a reply to a review
    enter_submits: bool = False  # a plain Enter sends (comment boxes); Shift+Enter starts a line


COMPOSERS = {
    c.name: c
    for c in [
        Composer(
            "x",
            "https://x.com/compose/post",
            "x.html",
            "draft",
            "draft",
            '[data-testid="tweetTextarea_0"]',
            '[data-testid="tweetButton"]',
            "x",
            ctrl_enter=True,
            counter='[data-testid="countdown"]',
            limit=280,
        ),
        Composer(
            "facebook",
            "https://www.facebook.com/",
            "facebook.html",
            "lexical",
            "lexical",
            '[role="dialog"] [data-lexical-editor="true"]',
            'div[aria-label="Post"][role="button"]',
            "facebook",
        ),
        Composer(
            "linkedin",
            "https://www.linkedin.com/feed/",
            "linkedin.html",
            "quill",
            "quill",
            '#interop-outlet [data-test-modal-id="sharebox"] .ql-editor',
            "button.share-actions__primary-action",
            "linkedin",
            counter="#interop-outlet .counter",
            limit=3000,
        ),
        Composer(
            "bluesky",
            "https://bsky.app/",
            "bluesky.html",
            "prosemirror",
            "prosemirror",
            ".ProseMirror",
            '[data-testid="composerPublishBtn"]',
            "bluesky",
            ctrl_enter=True,
            counter="[data-fixture-counter]",
            limit=300,
        ),
        Composer(
            "mastodon",
            "https://mastodon.social/home",
            "mastodon.html",
            "textarea",
            "textarea",
            "form.compose-form textarea.autosuggest-textarea__textarea",
            ".compose-form__submit button[type=submit]",
            "mastodon",
            ctrl_enter=True,
            counter=".character-counter",
            limit=500,
        ),
        Composer(
            "instagram",
            "https://www.instagram.com/create/details/",
            "instagram.html",
            "lexical",
            "lexical",
            '[role="dialog"] [aria-label="Write a caption..."]',
            '[role="dialog"] [role="button"]:text-is("Share")',
            "instagram",
            counter="[data-fixture-counter]",
            limit=2200,
        ),
        Composer(
            "threads",
            "https://www.threads.com/",
            "threads.html",
            "lexical",
            "lexical",
            '[role="dialog"] [data-lexical-editor="true"]',
            '[role="dialog"] div[role="button"]:text-is("Post")',
            "threads",
            counter="[data-fixture-counter]",
            limit=500,
        ),
        Composer(
            "tiktok",
            "https://www.tiktok.com/tiktokstudio/upload",
            "tiktok.html",
            "draft",
            "draft",
            ".public-DraftEditor-content",
            'button[data-e2e="post_video_button"]',
            "tiktok",
            ctrl_enter=True,
            counter='[data-testid="countdown"]',
            limit=4000,
        ),
        Composer(
            "youtube",
            "https://www.youtube.com/watch?v=carelint",
            "youtube.html",
            "plain",
            "plain",
            "#contenteditable-root",
            "#submit-button button",
            "youtube",
        ),
        # Replies to reviews: docs/composers.md has the evidence for each page.
        Composer(
            "google-business",
            "https://business.google.com/reviews",
            "google-business.html",
            "textarea",
            "textarea",
            'textarea[aria-label="Your reply"]',
            'button:text-is("Post reply")',
            "generic",
            ctrl_enter=True,
            context="review_reply",
        ),
        Composer(
            "yelp-business",
            "https://biz.yelp.com/r2r/carelint-clinic",
            "yelp-business.html",
            "textarea",
            "textarea",
            'textarea[placeholder="Write a public comment"]',
            'button:text-is("Post public comment")',
            "generic",
            ctrl_enter=True,
            context="review_reply",
        ),
        Composer(
            "healthgrades",
            "https://update.healthgrades.com/surveys",
            "healthgrades.html",
            "textarea",
            "textarea",
            'textarea[aria-label="Your response"]',
            'button:text-is("Submit response")',
            "generic",
            ctrl_enter=True,
            context="review_reply",
        ),
        Composer(
            "facebook-reviews",
            "https://www.facebook.com/carelintclinic/reviews",
            "facebook-reviews.html",
            "lexical",
            "lexical",
            '[aria-label="Write a comment…"][data-lexical-editor="true"]',
            'div[aria-label="Comment"][role="button"]',
            "generic",
            context="review_reply",
            enter_submits=True,
        ),
        # Schedulers.
        Composer(
            "meta-business-suite",
            "https://business.facebook.com/latest/composer/?asset_id=1",
            "meta-business-suite.html",
            "lexical",
            "lexical",
            '[aria-label="Write into the dialogue box to include text with your post."]',
            'div[role="button"]:text-is("Publish")',
            "instagram",  # the strictest of the networks shown: Facebook and Instagram
            counter="[data-fixture-counter]",
            limit=2200,
        ),
        Composer(
            "buffer",
            "https://publish.buffer.com/all-channels",
            "buffer.html",
            "draft",
            "draft",
            '[data-cy="composer-text-zone"] .public-DraftEditor-content',
            'button:text-is("Add to Queue")',
            "x",  # X and LinkedIn selected: X's 280 is the stricter
            ctrl_enter=True,
            counter='[data-testid="countdown"]',
            limit=280,
        ),
        Composer(
            "hootsuite",
            "https://hootsuite.com/dashboard",
            "hootsuite.html",
            "draft",
            "draft",
            '[role="dialog"] .public-DraftEditor-content',
            'button:text-is("Post now")',
            "generic",
            ctrl_enter=True,
        ),
        Composer(
            "sprout-social",
            "https://app.sproutsocial.com/publishing/compose",
            "sprout-social.html",
            "textarea",
            "textarea",
            '[role="dialog"] textarea',
            'button:text-is("Send")',
            "generic",
            ctrl_enter=True,
        ),
        Composer(
            "later",
            "https://app.later.com/carelint/schedule/calendar/post/1/new",
            "later.html",
            "textarea",
            "textarea",
            'textarea[placeholder="Post Caption"]',
            ".qa--media_modal__primary_button",
            "instagram",
            ctrl_enter=True,
            counter=".counter",
            limit=2200,
        ),
    ]
}

# Pages with the selectors of a known site's entry renamed (a redesign Carelint does not know
# yet): not composers Carelint supports, but what it must say it cannot see.
RENAMED = {
    c.name: c
    for c in [
        Composer(
            "mastodon-renamed-composer",
            "https://mastodon.social/renamed-composer",
            "mastodon-renamed-composer.html",
            "textarea",
            "textarea",
            "form.composer textarea",
            "form.composer button[type=submit]",
            "mastodon",
        ),
        Composer(
            "mastodon-renamed-button",
            "https://mastodon.social/renamed-button",
            "mastodon-renamed-button.html",
            "textarea",
            "textarea",
            "form.compose-form textarea.autosuggest-textarea__textarea",
            'button:text-is("Publish")',
            "mastodon",
            ctrl_enter=True,
        ),
    ]
}
PAGES = {**COMPOSERS, **RENAMED}


def page_for(host: str, path: str) -> Composer | None:
    """The fixture served at https://host/path: the page whose URL path is the longest prefix of
    `path` on that host, else the host's first page."""
    here = [c for c in PAGES.values() if urlsplit(c.url).hostname == host]
    if not here:
        return None
    prefixed = [c for c in here if path.startswith(urlsplit(c.url).path) and urlsplit(c.url).path != "/"]
    return max(prefixed, key=lambda c: len(urlsplit(c.url).path)) if prefixed else here[0]

