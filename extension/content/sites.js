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
      name: "X",
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
      name: "TikTok Studio",
      hosts: ["www.tiktok.com"],
      platform: "tiktok",
      editors: [{ family: "draft", selector: ".public-DraftEditor-content" }],
      submit: ['button[data-e2e="post_video_button"]'],
    },
    {
      id: "facebook",
      name: "Facebook",
      hosts: ["www.facebook.com", "web.facebook.com", "m.facebook.com"],
      platform: "facebook",
      editors: [
        // A Page's reviews (recommendations) tab: the comment box under a recommendation is a
        // reply to a review; a plain Enter sends it.
        {
          family: "lexical",
          selector: '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]',
          path: /\/reviews\/?$/,
          context: "review_reply",
          enterSubmits: true,
        },
        { family: "lexical", selector: '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]' },
      ],
      submit: ['div[aria-label="Post"][role="button"]', 'div[aria-label="Publish"][role="button"]', 'div[aria-label="Comment"][role="button"]'],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "instagram",
      name: "Instagram",
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
      name: "Threads",
      hosts: ["www.threads.net", "www.threads.com", "threads.net", "threads.com"],
      platform: "threads",
      editors: [{ family: "lexical", selector: '[contenteditable="true"][role="textbox"][data-lexical-editor="true"]' }],
      submit: [{ selector: '[role="dialog"] div[role="button"], [role="dialog"] button', text: /^Post$/ }],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "linkedin",
      name: "LinkedIn",
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
      name: "Bluesky",
      hosts: ["bsky.app"],
      platform: "bluesky",
      editors: [{ family: "prosemirror", selector: '.ProseMirror[contenteditable="true"]' }],
      submit: ['[data-testid="composerPublishBtn"]'],
      images: { scope: '[role="dialog"]' },
    },
    {
      id: "mastodon",
      name: "Mastodon",
      hosts: ["mastodon.social", "mastodon.online"],
      platform: "mastodon",
      editors: [{ family: "textarea", selector: "form.compose-form textarea" }],
      submit: [".compose-form__submit button[type=submit]", ".compose-form__publish-button-wrapper button"],
      images: { scope: "form.compose-form", previews: [".compose-form__upload img"] },
    },
    {
      id: "youtube",
      name: "YouTube",
      hosts: ["www.youtube.com", "m.youtube.com", "studio.youtube.com"],
      platform: "youtube",
      editors: [
        { family: "plain", selector: '#contenteditable-root[contenteditable="true"]' },
        { family: "textarea", selector: "ytcp-social-suggestions-textbox textarea, #textbox textarea" },
      ],
      submit: ["#submit-button button", "ytd-commentbox #submit-button", "#submit-button"],
    },
    // --- replies to reviews (context "review_reply"; docs/composers.md has the evidence) ---
    {
      id: "google-business",
      name: "Google Business Profile",
      hosts: ["business.google.com", "www.google.com"],
      platform: "generic",
      context: "review_reply",
      editors: [
        {
          family: "auto",
          selector: 'textarea[aria-label*="reply" i], textarea[placeholder*="reply" i], [contenteditable="true"][aria-label*="reply" i]',
        },
      ],
      submit: [
        { selector: 'button, [role="button"]', text: /^Post reply$/i },
        { selector: '[role="dialog"] button, [role="dialog"] [role="button"]', text: /^Reply$/i },
      ],
    },
    {
      id: "yelp-business",
      name: "Yelp for Business",
      hosts: ["biz.yelp.com"],
      platform: "generic",
      context: "review_reply",
      editors: [
        {
          family: "auto",
          selector:
            'textarea[placeholder*="comment" i], textarea[placeholder*="message" i], textarea[aria-label*="comment" i], textarea[aria-label*="message" i], textarea[aria-label*="reply" i], [role="dialog"] textarea',
        },
      ],
      submit: ['form button[type="submit"]', { selector: "button", text: /^(Post|Post comment|Post public comment|Send|Send message|Reply|Submit)$/i }],
    },
    {
      id: "healthgrades",
      name: "Healthgrades",
      hosts: ["update.healthgrades.com"],
      platform: "generic",
      context: "review_reply",
      editors: [
        {
          family: "auto",
          selector: 'textarea[aria-label*="respon" i], textarea[placeholder*="respon" i], textarea[aria-label*="reply" i], [role="dialog"] textarea',
        },
      ],
      submit: ['form button[type="submit"]', { selector: "button", text: /^(Submit|Submit response|Post|Post response|Publish|Respond)$/i }],
    },

    // --- schedulers: the platform follows the networks the post goes to -----------------
    {
      id: "meta-business-suite",
      name: "Meta Business Suite",
      hosts: ["business.facebook.com"],
      platform: "facebook",
      editors: [{ family: "auto", selector: '[contenteditable="true"][aria-label*="include text with your post" i]' }],
      submit: [{ selector: '[role="button"], button', text: /^(Publish|Schedule)$/ }],
      networks: {
        selected: [
          { selector: '[role="combobox"][aria-label^="Post to"] img[alt="Facebook"]', platform: "facebook" },
          { selector: '[role="combobox"][aria-label^="Post to"] img[alt="Instagram"]', platform: "instagram" },
        ],
      },
    },
    {
      id: "buffer",
      name: "Buffer",
      hosts: ["publish.buffer.com"],
      platform: "generic",
      editors: [
        { family: "draft", selector: '[data-cy="composer-text-zone"] .public-DraftEditor-content[contenteditable="true"]' },
        { family: "auto", selector: '[role="dialog"] [contenteditable="true"]' },
      ],
      submit: [{ selector: "button", text: /^(Add to Queue|Share Now|Schedule Posts?|Publish Now)$/i }],
      networks: {
        selected: [
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Twitter"], button[aria-label^="Selected profile"][aria-label*=" - X "]', platform: "x" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Bluesky"]', platform: "bluesky" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Threads"]', platform: "threads" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Mastodon"]', platform: "mastodon" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Instagram"]', platform: "instagram" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - LinkedIn"]', platform: "linkedin" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - TikTok"]', platform: "tiktok" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - YouTube"]', platform: "youtube" },
          { selector: 'button[aria-label^="Selected profile"][aria-label*=" - Facebook"]', platform: "facebook" },
        ],
      },
    },
    {
      id: "hootsuite",
      name: "Hootsuite",
      hosts: ["hootsuite.com", "www.hootsuite.com"],
      platform: "generic",
      editors: [{ family: "auto", selector: '[role="dialog"] [contenteditable="true"], [role="dialog"] textarea' }],
      submit: [{ selector: 'button, [role="button"]', text: /^(Post now|Schedule|Send now)$/i }],
    },
    {
      id: "sprout-social",
      name: "Sprout Social",
      hosts: ["app.sproutsocial.com"],
      platform: "generic",
      editors: [{ family: "auto", selector: '[role="dialog"] [contenteditable="true"], [role="dialog"] textarea' }],
      submit: [{ selector: 'button, [role="button"]', text: /^(Send|Send now|Schedule|Add to Queue|Submit for Approval)$/i }],
    },
    {
      id: "later",
      name: "Later",
      hosts: ["app.later.com"],
      platform: "instagram",
      editors: [{ family: "textarea", selector: 'textarea[placeholder*="caption" i]' }],
      submit: [".qa--media_modal__primary_button"],
    },
  ];

  C.siteFor = (hostname) => C.SITES.find((s) => s.hosts.includes(hostname)) || null;

  // Each platform's length limit (the server's platforms.py; a unit test keeps them equal):
  // a scheduler posting to several networks is checked against the strictest.
  C.PLATFORM_LIMITS = { x: 280, bluesky: 300, threads: 500, mastodon: 500, instagram: 2200, linkedin: 3000, tiktok: 4000, youtube: 5000, facebook: 63206, generic: 100000 };

  /** What the server is told the text is: a reply to a review, or a post. */
  C.contextFor = (site, spec) => (spec && spec.context) || site.context || "post";

  /**
   * The platform a composer's text is checked for. A scheduler shows the networks a post goes
   * to: the one whose tab or preview the editor sits in (`networks.current`), else the
   * strictest of those selected (`networks.selected`), else the site's own.
   * @param {Carelint.Site} site @param {Element} editor
   */
  C.platformFor = (site, editor) => {
    const n = site.networks;
    if (!n) return site.platform;
    for (const { selector, platform } of n.current || []) {
      if (editor.closest(selector)) return platform;
    }
    const scope = (n.scope && editor.closest(n.scope)) || document;
    const picked = (n.selected || []).filter(({ selector }) => scope.querySelector(selector)).map((r) => r.platform);
    if (!picked.length) return site.platform;
    return picked.reduce((a, b) => ((C.PLATFORM_LIMITS[b] ?? Infinity) < (C.PLATFORM_LIMITS[a] ?? Infinity) ? b : a));
  };

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
