"""The fixture composer pages: each platform's real URL, the editor family behind it, and
the selectors a user (and the test) would use. The pages live in
tests/fixtures/composers/pages and are built from the real editor packages."""

from dataclasses import dataclass


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
    ]
}

HOSTS = {
    "x.com": "x",
    "www.facebook.com": "facebook",
    "www.linkedin.com": "linkedin",
    "bsky.app": "bluesky",
    "mastodon.social": "mastodon",
    "www.instagram.com": "instagram",
    "www.threads.com": "threads",
    "www.tiktok.com": "tiktok",
    "www.youtube.com": "youtube",
}
