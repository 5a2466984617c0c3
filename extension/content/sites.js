// @ts-check
// Per-site configuration: which editor family each composer is, where its submit button
// is, and the platform name the server uses for limits and disclaimer form. Stable hooks
// only (data-testid, aria-*, editor marker attributes); see docs/composers.md.
// `images` (optional): where attached pictures live. `scope` is the composer's container
// (an image inside it belongs to that composer; without it, the nearest few ancestors are
// searched), `inputs` / `previews` add selectors to the defaults in content/images/discovery.js
// (any file input; any <img> with a blob: or data:image URL).
(() => {
  const C = globalThis.Carelint;
  C.SITES = [
    {
      id: "x",
      hosts: ["x.com", "twitter.com", "mobile.x.com", "mobile.twitter.com"],
      platform: "x",
      editors: [{ family: "draft", selector: '[data-testid^="tweetTextarea_"][contenteditable="true"]' }],
      submit: ['[data-testid="tweetButton"]', '[data-testid="tweetButtonInline"]'],
      images: {
        scope: '[role="dialog"], [data-testid="primaryColumn"]',
        inputs: ['input[data-testid="fileInput"]'],
        previews: ['[data-testid="attachments"] img'],
      },
    },
    {
      id: "tiktok",
      hosts: ["www.tiktok.com"],
      platform: "tiktok",
      editors: [{ family: "draft", selector: ".public-DraftEditor-content" }],
      submit: ['button[data-e2e="post_video_button"]'],
    },
    {
      id: "facebook",
      hosts: ["www.facebook.com", "web.facebook.com", "m.facebook.com"],
      platform: "facebook",
      editors: [{ family: "lexical", selector: '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]' }],
      submit: ['div[aria-label="Post"][role="button"]', 'div[aria-label="Publish"][role="button"]'],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "instagram",
      hosts: ["www.instagram.com"],
      platform: "instagram",
      editors: [
        { family: "lexical", selector: '[role="dialog"] [contenteditable="true"][data-lexical-editor="true"], [role="dialog"] [aria-label^="Write a caption"][contenteditable="true"]' },
        { family: "textarea", selector: '[role="dialog"] textarea[aria-label^="Write a caption"]' },
      ],
      submit: [{ selector: '[role="dialog"] [role="button"], [role="dialog"] button', text: /^Share$/ }],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "threads",
      hosts: ["www.threads.net", "www.threads.com", "threads.net", "threads.com"],
      platform: "threads",
      editors: [{ family: "lexical", selector: '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]' }],
      submit: [{ selector: '[role="dialog"] div[role="button"], [role="dialog"] button', text: /^Post$/ }],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "linkedin",
      hosts: ["www.linkedin.com"],
      platform: "linkedin",
      shadowHosts: ["#interop-outlet"],
      editors: [
        { family: "quill", selector: '[data-test-modal-id="sharebox"] .ql-editor, .share-box .ql-editor, .ql-editor' },
        { family: "prosemirror", selector: '[data-testid="ui-core-tiptap-text-editor-wrapper"] [contenteditable="true"]' },
      ],
      submit: ["button.share-actions__primary-action", { selector: "button", text: /^(Comment|Reply)$/ }],
      images: { scope: '[data-test-modal-id="sharebox"], .share-box' },
    },
    {
      id: "bluesky",
      hosts: ["bsky.app"],
      platform: "bluesky",
      editors: [{ family: "prosemirror", selector: '.ProseMirror[contenteditable="true"]' }],
      submit: ['[data-testid="composerPublishBtn"]'],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "mastodon",
      hosts: ["mastodon.social", "mastodon.online"],
      platform: "mastodon",
      editors: [{ family: "textarea", selector: "form.compose-form textarea" }],
      submit: [".compose-form__submit button[type=submit]", ".compose-form__publish-button-wrapper button"],
      images: { scope: "form.compose-form", previews: [".compose-form__upload img"] },
    },
    {
      id: "youtube",
      hosts: ["www.youtube.com", "m.youtube.com", "studio.youtube.com"],
      platform: "youtube",
      editors: [
        { family: "plain", selector: '#contenteditable-root[contenteditable="true"]' },
        { family: "textarea", selector: "ytcp-social-suggestions-textbox textarea, #textbox textarea" },
      ],
      submit: ["#submit-button button", "ytd-commentbox #submit-button", "#submit-button"],
    },
  ];

  C.siteFor = (hostname) => C.SITES.find((s) => s.hosts.includes(hostname)) || null;

  // The submit control in an event's composed path, if any.
  C.submitIn = (site, path) => {
    for (const node of path) {
      if (!(node instanceof Element)) continue;
      for (const rule of site.submit) {
        const selector = typeof rule === "string" ? rule : rule.selector;
        if (!node.matches(selector)) continue;
        if (typeof rule !== "string" && !rule.text.test((node.textContent || "").trim())) continue;
        return node;
      }
    }
    return null;
  };
})();
