// The shared namespace of the extension's scripts: globalThis.Carelint (`C` in each file).
// Content scripts are classic scripts loaded in the manifest's order, each adding its part;
// tests/extension/test_script_order.py checks that a script only uses names an earlier one
// (or itself) defines. The service worker and the extension pages see the shared/ parts only.
// Type-checked with `tsc --noEmit -p tools/typecheck` (`make lint`); never loaded at run time.

declare var Carelint: Carelint.Namespace;

// Chromium's selection inside a shadow tree (not in the DOM standard yet).
interface ShadowRoot {
  getSelection?(): Selection | null;
}

declare namespace Carelint {
  type Severity = "high" | "medium" | "low";
  type Status = "connected" | "offline" | "unauthorized" | "unpaired" | "error" | "unknown";

  // --- what the server answers (docs/api.md) ----------------------------------

  /** A ranged edit (API v1.2): replace [start, end) of the checked text with `text`. */
  interface Fix {
    label: string; // "Remove the name", "Replace with “…”", "Use the safe instruction"
    start: number; // UTF-16 offsets into the checked text; may be wider than the finding
    end: number;
    text: string; // "" deletes the range
  }
  interface Finding {
    id: string;
    start: number; // UTF-16 offsets into the checked text
    end: number;
    text: string;
    category: string; // phi | claim | advice | tone | language
    type?: string;
    rule?: string;
    severity: Severity;
    message: string;
    suggestions: string[]; // replacements for exactly [start, end) (old clients)
    fixes?: Fix[]; // best first; absent from an older server
    source?: string;
    source_url?: string | null; // https link to the rule's source document, when the server has one
    drivers?: string[]; // what drove the decision ("addressed to the reader (you/your)", "learned:0.93")
    offline?: boolean; // found by the built-in patterns (server unreachable)
    stale?: boolean; // a server finding kept while the server is unreachable (its text unchanged)
    checked?: string; // (extension) the text this finding was checked in: its fixes index it
    lang?: string; // the language of the finding's paragraph (server v1.4): its card speaks it
  }
  interface Disclaimer {
    needed: boolean;
    present: boolean;
    suggested: string;
  }
  interface PlatformInfo {
    name: string;
    limit: number | null;
    length: number;
    remaining: number | null;
  }
  interface CheckResult {
    findings: Finding[];
    disclaimer: Disclaimer | null;
    platform: PlatformInfo | null;
  }
  /** The worker's answer to MSG.CHECK (offline: the built-in patterns' result). */
  interface CheckResponse {
    ok: boolean;
    status: Status;
    offline: boolean;
    result: CheckResult | null;
  }
  interface ImageFinding {
    id: string;
    box: [number, number, number, number] | null; // x, y, w, h in image pixels
    text?: string;
    category: string;
    type?: string;
    rule?: string;
    severity: Severity;
    message: string;
    suggestions?: string[];
    source?: string;
  }
  interface ImageResult {
    findings: ImageFinding[];
    image?: { width: number; height: number };
    ocr_text?: string;
    metadata?: unknown;
  }
  /** The worker's answer to MSG.CHECK_IMAGE. */
  interface ImageResponse {
    ok: boolean;
    status: Status;
    offline: boolean;
    result?: ImageResult | null;
    error?: string;
  }

  // --- settings, sites, messages ------------------------------------------------------------

  /** chrome.storage.local: serverUrl and token are part of the public contract. */
  interface Settings {
    serverUrl: string;
    token: string;
    disabledSites: string[];
    minSeverity: string;
    ignoredTexts: string[]; // "Always ignore": finding texts hidden everywhere (any case)
    pausedUntil: number; // "Pause for 1 hour" in the popup: no checking anywhere until then (ms since epoch)
  }
  type SubmitRule = string | { selector: string; text: RegExp };
  /** The server's `context`: a post, or a reply to an online review. */
  type CheckContextName = "post" | "review_reply";
  interface EditorSpec {
    family: string;
    selector: string;
    context?: CheckContextName;
    /** Only on pages whose path matches (a Page's reviews tab). */
    path?: RegExp;
    /** A plain Enter submits (comment and reply boxes): the guard holds it too. */
    enterSubmits?: boolean;
  }
  interface NetworkRule {
    selector: string;
    platform: string;
  }
  interface Site {
    id: string;
    name: string; // what users call it ("Threads")
    hosts: string[];
    platform: string;
    editors: EditorSpec[];
    submit: SubmitRule[];
    context?: CheckContextName;
    /** Schedulers: where the page shows the networks a post goes to (C.platformFor). */
    networks?: { scope?: string; current?: NetworkRule[]; selected?: NetworkRule[] };
    shadowHosts?: string[];
    images?: { scope?: string; inputs?: string[]; previews?: string[] };
  }
  interface Message {
    type: string;
    [field: string]: unknown;
  }
  /** What a supported site's tab tells the popup (MSG.TAB_INFO). */
  interface TabInfo {
    site: string;
    platform: string;
    enabled: boolean;
    count: number;
    high: number;
    status: Status;
    offline: boolean;
    /** found; none (no composer open); unseen (a text field Carelint does not cover was
     * focused: the site changed); no-submit (a composer without a Post button Carelint knows). */
    composer: "found" | "none" | "unseen" | "no-submit";
  }

  // --- pairing (background.js, pair/) -------------------------------------------------------

  /** A proposal waiting for the user's confirmation (chrome.storage.session, worker only). */
  interface PendingPairing {
    id: string;
    serverUrl: string;
    token: string;
    fingerprint: string;
    source: "page" | "options";
    tabId: number | null; // the page that asked
    confirmTabId?: number; // the confirmation tab opened for it
    at: number;
    needsOrigin: boolean; // Firefox: the server learns this install's origin on confirmation
  }
  /** What the confirmation shows: never the token. */
  interface PairingProposal {
    id: string;
    serverUrl: string;
    fingerprint: string;
    source: "page" | "options";
    current: { serverUrl: string; fingerprint: string } | null;
  }

  // --- composers --------------------------------------------------------------------------

  /** One editor behind the same functions, whatever its family (content/adapters/). */
  interface Adapter {
    el: HTMLElement;
    family: string;
    onChange(cb: () => void): void;
    readText(): string;
    rangeFor(start: number, end: number): Range;
    caret(): number | null;
    focus(): void;
    rect(): DOMRect;
    contains(node: Node): boolean;
    hasFocus(): boolean;
    settle(): Promise<void>;
    /** `userCaret`: where the user left the caret, if known better than the editor's own. */
    replace(start: number, end: number, text: string, userCaret?: number): Promise<boolean>;
    destroy(): void;
  }
  interface Family {
    name: string;
    kind: "editable" | "field";
    rootSelector?: string;
    find(selector: string | undefined, shadowHosts?: string[]): HTMLElement[];
    bind(el: HTMLElement): Adapter;
  }
  type InsertMethod = "paste" | "insertText";
  interface EditableFamilySpec {
    name: string;
    rootSelector: string;
    settleMs?: number;
    methodFor(text: string): InsertMethod[];
  }
  interface SessionMeta {
    disclaimer: Disclaimer | null;
    platform: PlatformInfo | null;
    checkedLength: number;
  }
  /** One per composer (content/session.js). */
  interface Session {
    site: Site;
    adapter: Adapter;
    spec: EditorSpec | null;
    context: CheckContextName;
    noteCaret(): void;
    chip: { controls(): HTMLElement[] };
    openNextIssue(): void;
    findings: Finding[];
    shownText: string | null;
    checkedText: string | null;
    meta: SessionMeta | null;
    status: Status;
    offline: boolean;
    cache: Map<string, CheckResponse>;
    visibleFindings(): Finding[];
    highFindings(): Finding[];
    pending(): boolean;
    flush(): Promise<void>;
    schedule(delay?: number): void;
    queueRender(): void;
    openCardAtCaret(): void;
    review(finding: Finding): void;
    applySuggestion(finding: Finding, replacement: string): Promise<boolean>;
    applyFix(finding: Finding, fix: Fix): Promise<{ ok: boolean; reason?: string }>;
    isIgnored(finding: Finding): boolean;
    ignore(finding: Finding): void;
    alwaysIgnore(finding: Finding): Promise<{ ok: boolean; error?: string }>;
    allowlist(finding: Finding): Promise<{ ok: boolean; error?: string }>;
    appendDisclaimer(): Promise<{ ok: boolean; reason?: string; already?: boolean }>;
    destroy(): void;
  }
  interface TextMap {
    root: Node;
    text: string;
    rangeFor(start: number, end: number): Range;
    offsetOf(node: Node | null, offset: number): number | null;
  }

  // --- UI -----------------------------------------------------------------------------------

  interface HighlightEntry {
    severity: Severity;
    finding: Finding;
    range: Range;
  }
  interface Highlighter {
    css(): string;
    styleRootOf(node: Node): void;
    set(owner: Session, entries: HighlightEntry[]): void;
    clear(owner: Session): void;
    hitTest(x: number, y: number): { owner: Session; entry: HighlightEntry; rect: DOMRect } | null;
  }
  type ElAttrs = Record<string, string | number | boolean | null | undefined | ((e: any) => unknown)>;
  interface Following {
    schedule(): void;
    stop(): void;
  }
  interface Ui {
    readonly root: ShadowRoot;
    readonly layer: HTMLElement;
    el(tag: string, attrs?: ElAttrs, ...children: (Node | null | undefined | false)[]): HTMLElement;
    follow(target: Element, place: () => void, events?: string[]): Following;
  }
  /** What the shared card shows (content/card.js): a text finding or a picture's findings. */
  interface CardOpening {
    owner: unknown; // the session or the picture the card belongs to
    session?: Session; // with finding: a text finding's card
    finding?: Finding;
    className?: string;
    labelledBy: string;
    describedBy?: string;
    content: (Node | null)[];
    anchor: DOMRect;
    beside?: DOMRect;
    focus?: boolean;
    returnFocus?: () => void; // Escape (and hide(true)) goes back there
  }
  /** The issues panel (content/panel.js). */
  interface Panel {
    safeFix(finding: Finding): Fix | null;
    isOpen(): boolean;
    show(session: Session): void;
    hide(refocus: boolean): void;
  }
  interface Card {
    readonly element: HTMLElement | null;
    describe(finding: Finding): { icon: string; severity: string; category: string };
    readonly current: { session: Session; finding: Finding } | null;
    isOpen(): boolean;
    isOpenFor(owner: unknown): boolean;
    contains(node: Node | null): boolean;
    open(opening: CardOpening): void;
    show(session: Session, finding: Finding, rect: DOMRect, options?: { focus?: boolean }): void;
    hideSoon(): void;
    hide(refocus: boolean): void;
  }
  interface Dom {
    nextTabbable(el: Element): HTMLElement | null;
    queryAllDeep(selector: string, shadowHosts?: string[]): Element[];
    up(node: Node): Node | null;
    isVisible(el: Element): boolean;
    selectionFor(el: Node): Selection | null;
    deepActiveElement(): Element | null;
    nextFrame(): Promise<void>;
    macrotask(): Promise<void>;
    selectionSettled(timeout?: number): Promise<void>;
    waitFor(cond: () => boolean, target: Node, timeout?: number): Promise<boolean>;
  }

  // --- pictures (content/images/) -------------------------------------------------------

  interface ImageCheck {
    hash: string;
    state: "checking" | "done" | "offline" | "error" | "too-large";
    findings: ImageFinding[];
    result: ImageResult | null;
    status: Status;
    at: number;
    promise: Promise<void>;
  }
  interface ImageChecks {
    get(hash: string): ImageCheck | undefined;
    check(blob: Blob | null): Promise<string | null>;
    bytesOf(img: HTMLImageElement): Promise<Blob | null>;
    visible(hash: string): ImageFinding[];
    ignore(hash: string, findingId: string): void;
    forgetUnanswered(): void;
    onChange(fn: () => void): void;
    keepWhile(inUse: (hash: string) => boolean): void;
  }
  interface ImagePreview {
    img: HTMLImageElement;
    src: string | null;
    hash: string | null;
    failed: boolean;
    badge: HTMLElement;
    box: HTMLElement;
    load(): void;
    findings(): ImageFinding[];
    render(): void;
    place(): void;
    openCard(focus: boolean): void;
    destroy(): void;
  }
  interface ImageAttachment {
    hash: string;
    session: Session;
    anchor: Node;
  }
  interface ImageGuardItem {
    session: Session;
    finding: ImageFinding;
    image: ImageAttachment;
  }
  interface TextGuardItem {
    session: Session;
    finding: Finding;
    image?: undefined;
  }
  type GuardItem = TextGuardItem | ImageGuardItem;
  interface Images {
    scan(): void;
    clear(): void;
    recheck(): void;
    visibleCount(): number;
    pending(sessions: Session[]): boolean;
    flush(sessions: Session[], timeout: number): Promise<void>;
    highFindings(sessions: Session[]): ImageGuardItem[];
    review(item: ImageGuardItem): void;
    readonly previews: Map<HTMLImageElement, ImagePreview>;
  }

  // --- the namespace, in the order the scripts define it ------------------------------------

  interface Namespace {
    // shared/constants.js
    DEFAULT_SERVER_URL: string;
    SEVERITIES: Severity[];
    SEVERITY_RANK: Record<string, number>;
    SEVERITY_ICONS: Record<string, string>;
    HIGHLIGHT_NAMES: Record<Severity, string>;
    // shared/strings.js
    STRINGS: Record<string, Record<string, string>>;
    LANGUAGES: string[];
    t(lang: string | undefined, key: string, vars?: Record<string, string | number>): string;
    languageOf(findings: object[]): string;
    uiLanguage(): string;
    statusText(status: string): string;
    fillText(el: Element, text: string): void;
    localise(doc: Document, lang: string): void;
    STORAGE_DEFAULTS: Settings;
    MSG: {
      readonly CHECK: string;
      readonly CHECK_IMAGE: string;
      readonly STATUS: string;
      readonly COUNT: string;
      readonly SETTINGS_GET: string;
      readonly SETTINGS_PUT: string;
      readonly SETTINGS_DEFAULTS: string;
      readonly COMMAND: string;
      readonly PROBE: string;
      readonly OPEN_WELCOME: string;
      readonly RULES: string;
      readonly ALLOWLIST_ADD: string;
      readonly TAB_INFO: string;
      readonly PAIR: string;
      readonly PAIR_MANUAL: string;
      readonly PAIR_PENDING: string;
      readonly PAIR_CONFIRM: string;
      readonly PAIR_CANCEL: string;
      readonly PAIR_RESULT: string;
      readonly PAIR_STATE: string;
    };
    TOKEN_PATTERN: RegExp;
    isLoopbackUrl(value: string): boolean;
    normalizeServerUrl(value: unknown): string;
    fingerprint(token: string): Promise<string>;

    // shared/offline.js
    offlineCheck(text: string): Finding[];

    // content/state.js (main.js fills in site, settings, active)
    site: Site | null;
    sessions: Map<HTMLElement, Session>;
    settings: Settings;
    active: boolean;
    started: boolean;
    onOrphaned(fn: () => void): void;
    isOrphaned(): boolean;
    send<T = any>(msg: Message): Promise<T>;
    addFindingCounter(count: () => number): void;
    visibleCount(): number;
    reportCount(): void;

    // content/dom.js, offsets.js, highlighter.js, ui.js
    dom: Dom;
    TextMap: new (root: HTMLElement) => TextMap;
    diffRegion(before: string, after: string): { prefix: number; suffix: number; delta: number };
    rangeNow(before: string, after: string, start: number, end: number): number | null;
    shiftFindings(findings: Finding[], before: string, after: string): Finding[];
    highlighter: Highlighter;
    ui: Ui;

    // content/adapters/, sites.js
    adapters: Record<string, Family>;
    makeEditableFamily(spec: EditableFamilySpec): Family;
    SITES: Site[];
    siteFor(hostname: string): Site | null;
    PLATFORM_LIMITS: Record<string, number>;
    contextFor(site: Site, spec?: EditorSpec): CheckContextName;
    platformFor(site: Site, editor: Element): string;
    submitIn(site: Site, path: EventTarget[]): Element | null;
    liveSessions(): Session[];
    sessionsFor(button: Element | null): Session[];
    submitFor(session: Session): HTMLElement | null;

    // content/card.js, images/, guard.js, session.js
    card: Card;
    panel: Panel;
    imageChecks: ImageChecks;
    ImagePreview: new (img: HTMLImageElement, onHash: (hash: string) => void) => ImagePreview;
    IMAGE_DEFAULTS: { inputs: string[]; previews: string[] };
    images: Images;
    guard: { install(): void; readonly dialog: HTMLDialogElement | null };
    Session: new (site: Site, adapter: Adapter, spec?: EditorSpec) => Session;
  }
}
