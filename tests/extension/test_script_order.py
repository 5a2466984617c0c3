"""The extension's scripts share one namespace, globalThis.Carelint (`C`), and load in a fixed
order: the manifest's content_scripts lists, each page's <script> tags (classic ones first,
then modules and what they import), the service worker's imports. A script may only use the
`Carelint.*` names that an earlier script in its list, or itself, defines; a later script
may fill them in but never be the first to define them. And every name the namespace's type
(extension/types/carelint.d.ts) declares is defined by some script. No browser needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import UNIT_SCRIPTS

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
IDENT = r"[A-Za-z_$][\w$]*"
# After one of these (or a keyword below), a `/` starts a regular expression, not a division.
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^")
REGEX_KEYWORDS = {
    "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await",
}


def code_only(source: str) -> str:
    """The source with comments removed and the contents of strings, template literal text and
    regular expressions blanked (template `${…}` expressions stay: they are code)."""
    out: list[str] = []
    i, n = 0, len(source)
    templates: list[int] = []  # brace depth at which each open template's ${ began
    depth = 0

    def last_significant() -> str:
        text = "".join(out[-40:]).rstrip()
        return text

    while i < n:
        c = source[i]
        nxt = source[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and nxt == "*":
            j = source.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
            continue
        if c in "'\"":
            j = i + 1
            while j < n and source[j] != c:
                j += 2 if source[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
            continue
        if c == "`" or (c == "}" and templates and templates[-1] == depth):
            if c == "}":
                templates.pop()
            j = i + 1
            while j < n and source[j] != "`" and not (source[j] == "$" and source[j + 1 : j + 2] == "{"):
                j += 2 if source[j] == "\\" else 1
            if j < n and source[j] == "$":
                templates.append(depth)
                out.append("`${")
                i = j + 2
            else:
                out.append("``")
                i = j + 1
            continue
        if c == "/":
            before = last_significant()
            word = re.search(rf"({IDENT})$", before)
            if not before or before[-1] in REGEX_AFTER or (word and word.group(1) in REGEX_KEYWORDS):
                j, in_class = i + 1, False
                while j < n and (in_class or source[j] != "/"):
                    if source[j] == "\\":
                        j += 1
                    elif source[j] == "[":
                        in_class = True
                    elif source[j] == "]":
                        in_class = False
                    j += 1
                j += 1
                while j < n and source[j].isalpha():  # flags
                    j += 1
                out.append("/re/")
                i = j
                continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


def names(path: Path) -> tuple[set[str], set[str]]:
    """(defined, used) Carelint names of one script."""
    code = code_only(path.read_text(encoding="utf-8"))
    aliased = re.search(r"\bconst\s+C\s*=\s*\(?\s*globalThis\.Carelint\b", code)
    used = set(re.findall(rf"\bCarelint\.({IDENT})", code))
    defined = set(re.findall(rf"\bglobalThis\.Carelint\.({IDENT})\s*(?:=(?!=)|\|\|=|\?\?=)", code))
    # `C.` not preceded by a property access (`x.C.`); a spread (`...C.sessions`) is a use.
    plain_c = r"(?<![\w$])(?<![^.]\.)C\."
    if re.search(plain_c, code):
        assert aliased, f"{path.relative_to(EXTENSION)} uses C.* without `const C = globalThis.Carelint`"
    if aliased:
        used |= set(re.findall(rf"{plain_c}({IDENT})", code))
        defined |= set(re.findall(rf"{plain_c}({IDENT})\s*(?:=(?!=)|\|\|=|\?\?=)", code))
        for group in re.findall(r"\{([^{}]*)\}\s*=\s*C\b(?!\s*\.)", code):  # const { dom } = C
            used |= {part.split(":")[0].strip() for part in group.split(",") if part.strip()}
    return defined, used


def imports(path: Path) -> list[Path]:
    code = code_only(path.read_text(encoding="utf-8"))
    # Blanked strings are empty: read the specifiers from the source itself.
    source = path.read_text(encoding="utf-8")
    found = re.findall(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']""", source, re.M)
    assert len(found) == len(re.findall(r"^\s*import\b", code, re.M)), path
    return [(path.parent / spec).resolve() for spec in found]


def with_imports(path: Path, seen: set[Path]) -> list[Path]:
    """A module after the modules it imports (depth first, each once), as they evaluate."""
    if path in seen:
        return []
    seen.add(path)
    order: list[Path] = []
    for dep in imports(path):
        order += with_imports(dep, seen)
    return order + [path]


def page_scripts(page: Path) -> list[Path]:
    html = page.read_text(encoding="utf-8")
    classic, modules = [], []
    for attrs in re.findall(r"<script\b([^>]*)>", html):
        src = re.search(r'\bsrc="([^"]+)"', attrs)
        assert src, f"inline script in {page.name}: the extension's CSP allows none"
        (modules if 'type="module"' in attrs else classic).append((page.parent / src.group(1)).resolve())
    seen: set[Path] = set(classic)
    order = list(classic)
    for module in modules:  # modules are deferred: they run after the classic scripts
        order += with_imports(module, seen)
    return order


def script_lists() -> dict[str, list[Path]]:
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    lists = {}
    for i, entry in enumerate(manifest["content_scripts"]):
        lists[f"content_scripts[{i}]"] = [EXTENSION / js for js in entry["js"]]
    lists["service worker"] = with_imports((EXTENSION / manifest["background"]["service_worker"]).resolve(), set())
    for page in sorted(EXTENSION.rglob("*.html")):
        lists[str(page.relative_to(EXTENSION))] = page_scripts(page)
    lists["unit test page (conftest.UNIT_SCRIPTS)"] = [EXTENSION / s for s in UNIT_SCRIPTS]
    return lists


LISTS = script_lists()


@pytest.mark.parametrize("name", list(LISTS))
def test_each_script_uses_only_names_defined_before_it(name):
    defined_so_far: set[str] = set()
    problems = []
    for path in LISTS[name]:
        assert path.exists(), f"{name}: {path} is missing"
        defined, used = names(path)
        defined_so_far |= defined
        missing = sorted(used - defined_so_far)
        if missing:
            uses = ", ".join("C." + m for m in missing)
            problems.append(f"{path.relative_to(EXTENSION)} uses {uses} before any script defines it")
    assert not problems, f"{name}:\n" + "\n".join(problems)


def test_every_declared_name_is_defined_by_a_script():
    types = (EXTENSION / "types" / "carelint.d.ts").read_text(encoding="utf-8")
    block = types.split("interface Namespace {", 1)[1].split("\n  }\n", 1)[0]
    declared = set(re.findall(rf"^\s+({IDENT})\??\s*[:(<]", block, re.M))
    assert {"MSG", "send", "images", "Session"} <= declared
    defined = set()
    for path in EXTENSION.rglob("*.js"):
        defined |= names(path)[0]
    assert declared - defined == set(), "declared in types/carelint.d.ts but defined nowhere"
    assert defined - declared == set(), "defined by a script but not declared in types/carelint.d.ts"


def test_the_checker_sees_a_use_before_definition(tmp_path):
    """The check itself: comments, strings and regular expressions are not code; a use in a
    template expression is."""
    first = tmp_path / "first.js"
    first.write_text('(() => { const C = globalThis.Carelint; C.alpha = 1; // C.fake = 2\n'
                     'const s = "C.notCode = 3"; const r = /C.re = 4/g; })();\n')
    second = tmp_path / "second.js"
    second.write_text("(() => { const C = globalThis.Carelint; const t = `${C.alpha} ${C.beta}`;\n"
                      "const { gamma } = C; /* C.delta */ const all = [...C.eps.values()]; x.C.zeta = 1; })();\n")
    assert names(first) == ({"alpha"}, {"alpha"})
    assert names(second) == (set(), {"alpha", "beta", "gamma", "eps"})
