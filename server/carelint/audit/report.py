"""The audit report as HTML (one self-contained page), CSV (one row per finding) or JSON.

The report holds PHI by nature: it is written to a private temporary file (0600) next to the
target and renamed over it, so no other user can read it at any moment, even when it replaces
an older, more open file. Every writer streams, post by post (the flagged posts may come back
from the runner's temporary file), so writing holds one post at a time.

A post longer than the limit was checked in parts: each flagged part is reported on its own,
with its text, its `part` number and `offset` (where it starts in the whole post); the findings'
`start` and `end` are offsets in the whole post, so a finding's text is
`part.text[start - offset : end - offset]`.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING

from carelint import __version__
from carelint.audit.readers import MAX_POST_CHARS
from carelint.audit.runner import SEVERITIES, AuditResult, PostResult, Totals
from carelint.findings import SEVERITY_RANK

if TYPE_CHECKING:
    from carelint.engine import ReportedFinding

FORMATS = ("html", "csv", "json")
REPORT_MODE = 0o600
PHI_NOTE = ("This report contains the text of the audited posts, including any patient identifiers "
            "(PHI) they hold. Keep it private and delete it when it is no longer needed.")
CATEGORY_LABELS = {"phi": "PHI", "claim": "Unsupported claim", "advice": "Medical advice",
                   "tone": "Tone", "language": "Language"}
_BY_RANK = tuple(reversed(SEVERITIES))  # high first


def write_report(audit: AuditResult, fmt: str, path: Path) -> None:
    if fmt not in WRITERS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    with private_file(path) as fh:
        WRITERS[fmt](audit, fh)


@contextmanager
def private_file(path: Path) -> Iterator[IO[str]]:
    """A text file only its owner can read, in place at `path` once complete."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, REPORT_MODE)  # mkstemp's default already, said out loud
        # backslashreplace: a file name that is not UTF-8 (surrogate escapes) must not end the write
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- JSON ---------------------------------------------------------------------------------------


def totals_dict(t: Totals) -> dict:
    return dict(
        posts=t.posts, flagged_posts=t.flagged, findings=t.findings, parse_errors=t.errors, split_posts=t.split,
        by_severity={s: t.by_severity[s] for s in _BY_RANK},
        by_category=dict(t.by_category.most_common()),
        by_rule=dict(sorted(t.by_rule.items(), key=lambda kv: (-kv[1]["count"], kv[0]))),
    )


def _post_dict(result: PostResult) -> dict:
    return dict(**asdict(result.post), findings=[asdict(f) for f in result.findings])


def _dumps(value: object, level: int) -> str:
    """`value` as json.dump(indent=2) writes it `level` levels deep."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def write_json(audit: AuditResult, fh: IO[str]) -> None:
    """The same document as json.dump(indent=2) of the whole, written one post at a time."""
    head = dict(tool=f"carelint {__version__}", generated=audit.started_at, sources=audit.sources,
                min_severity=audit.min_severity, totals=totals_dict(audit.totals))
    fh.write("{\n")
    for key, value in head.items():
        fh.write(f"  {json.dumps(key)}: {_dumps(value, 1)},\n")
    for key, items, last in (("posts", map(_post_dict, audit.posts), False),
                             ("errors", map(asdict, audit.errors), True)):
        fh.write(f"  {json.dumps(key)}: [")
        empty = True
        for item in items:
            fh.write(("\n" if empty else ",\n") + "    " + _dumps(item, 2))
            empty = False
        fh.write(("]" if empty else "\n  ]") + ("\n" if last else ",\n"))
    fh.write("}\n")


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = ("source", "location", "date", "platform", "link", "severity", "category", "rule", "text",
               "message", "start", "end", "reason")


def _cell(value: object) -> object:
    """Spreadsheets run a cell that starts with = + - @ as a formula: post text is untrusted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(audit: AuditResult, fh: IO[str]) -> None:
    fh.write("\ufeff")  # so that Excel reads the file as UTF-8
    out = csv.writer(fh)
    out.writerow(CSV_COLUMNS)
    for result in audit.posts:
        p = result.post
        for f in result.findings:
            out.writerow(map(_cell, (p.source, p.where, p.date, p.platform, p.link, f.severity, f.category,
                                     f.rule, f.text, f.message, f.start, f.end, "")))
    for e in audit.errors:
        out.writerow(map(_cell, (e.source, e.location, "", "", "", "", "", "", "", "", "", "", e.reason)))


# --- HTML ---------------------------------------------------------------------------------------

# Everything inline; the CSP forbids the page any remote (or local) fetch.
_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carelint audit report</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;
color:#1d2329;background:#fafbfc}
h1{margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
.phi-note{background:#fff4e5;border-left:4px solid #d9480f;padding:.6rem .8rem}
.counts{display:flex;gap:1rem;flex-wrap:wrap}.counts div{background:#fff;border:1px solid #d0d7de;border-radius:6px;
padding:.4rem .8rem}.counts b{display:block;font-size:1.4rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #e1e4e8}
td.n{text-align:right}
#filters{position:sticky;top:0;background:#fafbfc;padding:.5rem 0;border-bottom:1px solid #d0d7de;z-index:1}
fieldset{display:inline-block;border:1px solid #d0d7de;border-radius:6px;margin-right:.5rem}
article{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.6rem .9rem}
.meta{color:#57606a;font-size:.85rem}.text{white-space:pre-wrap;overflow-wrap:anywhere}
mark{border-radius:2px;padding:0 1px}mark.sev-high{background:#ffc9c9}mark.sev-medium{background:#ffe8a3}
mark.sev-low{background:#c5e4ff}mark.off{background:none}
.badge{display:inline-block;min-width:4em;font-size:.75rem;font-weight:600;text-align:center;border-radius:3px;
padding:0 .3rem;margin-right:.3rem}.sev-high.badge{background:#c92a2a;color:#fff}
.sev-medium.badge{background:#f59f00;color:#000}.sev-low.badge{background:#1c7ed6;color:#fff}
.findings{margin:.4rem 0 0;padding-left:1.2rem}.rule{font-family:ui-monospace,monospace;font-size:.85rem}
.hint{color:#57606a}
</style>
</head>
<body>
"""

# A few lines of JS: hide findings, highlights and posts that the unticked boxes filter out.
_SCRIPT = """<script>
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[type=checkbox]"));
  var posts = document.querySelectorAll("article.post");
  function apply() {
    var on = {severity: {}, category: {}};
    boxes.forEach(function (b) { if (b.checked) on[b.dataset.filter][b.value] = true; });
    var shown = 0;
    posts.forEach(function (post) {
      var visible = {}, any = false;
      post.querySelectorAll("li[data-i]").forEach(function (li) {
        var show = on.severity[li.dataset.severity] && on.category[li.dataset.category];
        li.hidden = !show;
        if (show) { visible[li.dataset.i] = true; any = true; }
      });
      post.querySelectorAll("mark").forEach(function (m) {
        m.classList.toggle("off", !m.dataset.f.split(" ").some(function (i) { return visible[i]; }));
      });
      post.hidden = !any;
      if (any) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + posts.length + " flagged posts shown";
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
</script>
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _highlighted(text: str, findings: list[ReportedFinding], offset: int = 0) -> str:
    """The post (or the part of a long post starting at `offset`) with each finding's span in a
    <mark>; overlapping spans are cut at every edge, and each piece names (data-f) the findings
    that cover it and takes the worst severity. One sweep over the edges (not a scan of every
    finding per piece: a part of random text can have thousands of findings)."""
    spans = [(min(max(f.start - offset, 0), len(text)), min(max(f.end - offset, 0), len(text))) for f in findings]
    opening: dict[int, list[int]] = defaultdict(list)
    closing: dict[int, list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(spans):
        if a < b:
            opening[a].append(i)
            closing[b].append(i)
    edges = sorted({0, len(text)} | set(opening) | set(closing))
    active: set[int] = set()
    out = []
    for a, b in pairwise(edges):
        active.difference_update(closing.get(a, ()))
        active.update(opening.get(a, ()))
        piece = _e(text[a:b])
        covering = sorted(active)
        if not covering:
            out.append(piece)
            continue
        worst = max((findings[i].severity for i in covering), key=SEVERITIES.index)
        title = "; ".join(f"{findings[i].severity}: {findings[i].message}" for i in covering)
        out.append(f'<mark class="sev-{worst}" data-f="{" ".join(map(str, covering))}" title="{_e(title)}">'
                   f"{piece}</mark>")
    return "".join(out)


def _link(url: str | None) -> str:
    if not url:
        return ""
    if url.startswith(("https://", "http://")):  # never javascript: or data: from an export
        return f' · <a href="{_e(url)}" rel="noopener noreferrer" target="_blank">{_e(url)}</a>'
    return f" · {_e(url)}"


def _post_html(result: PostResult) -> str:
    p = result.post
    meta = " · ".join(_e(v) for v in (p.source, p.where, p.date, p.platform) if v) + _link(p.link)
    items = []
    for i, f in enumerate(result.findings):
        suggestions = f' <span class="hint">Try: {_e(" / ".join(f.suggestions))}</span>' if f.suggestions else ""
        items.append(
            f'<li data-i="{i}" data-severity="{_e(f.severity)}" data-category="{_e(f.category)}">'
            f'<span class="badge sev-{_e(f.severity)}">{_e(f.severity)}</span>'
            f'{_e(CATEGORY_LABELS.get(f.category, f.category))} <span class="rule">{_e(f.rule)}</span>: '
            f"{_e(f.message)} — “{_e(f.text)}”{suggestions}</li>")
    return (f'<article class="post">\n<div class="meta">{meta}</div>\n'
            f'<div class="text">{_highlighted(p.text, result.findings, p.offset)}</div>\n'
            f'<ul class="findings">\n' + "\n".join(items) + "\n</ul>\n</article>\n")


def _rows(rows: list[tuple], numeric_last: bool = True) -> str:
    out = []
    for row in rows:
        cells = [f"<td>{_e(v)}</td>" for v in row[:-1]]
        cells.append(f'<td class="n">{_e(row[-1])}</td>' if numeric_last else f"<td>{_e(row[-1])}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out)


def _top_severity(result: PostResult) -> str:
    return max((f.severity for f in result.findings), key=lambda s: SEVERITY_RANK.get(s, 0), default="low")


def write_html(audit: AuditResult, fh: IO[str]) -> None:
    """The flagged posts first, highest severity first (what the privacy office acts on), then the
    summary tables and the entries that could not be parsed."""
    t = audit.totals
    fh.write(_HEAD)
    fh.write(f"<header>\n<h1>Carelint audit report</h1>\n<p class=\"phi-note\">{_e(PHI_NOTE)}</p>\n"
             f"<p class=\"hint\">Generated {_e(audit.started_at)} by carelint {_e(__version__)} from "
             f"{_e(', '.join(audit.sources) or '-')}; minimum severity: {_e(audit.min_severity)}.</p>\n</header>\n")
    categories = sorted(t.by_category, key=lambda c: list(CATEGORY_LABELS).index(c) if c in CATEGORY_LABELS else 99)
    boxes = "".join(f'<label><input type="checkbox" data-filter="severity" value="{s}" checked> {s}</label> '
                    for s in _BY_RANK)
    cats = "".join(f'<label><input type="checkbox" data-filter="category" value="{_e(c)}" checked> '
                   f"{_e(CATEGORY_LABELS.get(c, c))}</label> " for c in categories)
    fh.write(f'<section id="posts">\n<h2>Flagged posts</h2>\n<div id="filters">'
             f"<fieldset><legend>Severity</legend>{boxes}</fieldset>"
             f'<fieldset><legend>Category</legend>{cats}</fieldset> <span id="shown" class="hint"></span></div>\n')
    if not audit.posts:
        fh.write('<p class="hint">No post has a finding at or above the minimum severity.</p>\n')
    # Highest severity first (one pass over the flagged posts per severity: they may be on disk).
    for rank in _BY_RANK:
        for result in audit.posts:
            if _top_severity(result) == rank:
                fh.write(_post_html(result))
    fh.write("</section>\n")

    counts = (("posts checked", t.posts), ("posts flagged", t.flagged), ("findings", t.findings),
              ("entries not parsed", t.errors)) + ((("posts checked in parts", t.split),) if t.split else ())
    fh.write('<section id="summary">\n<h2>Summary</h2>\n<div class="counts">'
             + "".join(f"<div><b>{n}</b>{_e(label)}</div>" for label, n in counts) + "</div>\n")
    if t.split:
        fh.write(f'<p class="hint">{t.split:,} posts longer than {MAX_POST_CHARS:,} characters were checked in '
                 f"parts of at most that size, cut after a paragraph, sentence or space; each flagged part is "
                 f"shown on its own, and the findings' offsets are in the whole post.</p>\n")
    fh.write("<h3>By severity</h3>\n<table><tr><th>severity</th><th>findings</th></tr>\n"
             + _rows([(s, t.by_severity[s]) for s in _BY_RANK]) + "</table>\n")
    fh.write("<h3>By category</h3>\n<table><tr><th>category</th><th>findings</th></tr>\n"
             + _rows([(CATEGORY_LABELS.get(c, c), n) for c, n in t.by_category.most_common()]) + "</table>\n")
    rules = [(r, CATEGORY_LABELS.get(v["category"], v["category"]), v["severity"], v["count"])
             for r, v in sorted(t.by_rule.items(), key=lambda kv: (-kv[1]["count"], kv[0]))]
    fh.write("<h3>By rule</h3>\n<table><tr><th>rule</th><th>category</th><th>severity</th><th>findings</th></tr>\n"
             + _rows(rules) + "</table>\n</section>\n")

    if audit.errors:
        fh.write('<section id="errors">\n<h2>Entries that could not be parsed</h2>\n'
                 "<table><tr><th>file</th><th>location</th><th>reason</th></tr>\n")
        for e in audit.errors:
            fh.write(_rows([(e.source, e.location, e.reason)], numeric_last=False) + "\n")
        fh.write("</table>\n</section>\n")
    fh.write(_SCRIPT)
    fh.write("</body>\n</html>\n")


WRITERS = {"html": write_html, "csv": write_csv, "json": write_json}
