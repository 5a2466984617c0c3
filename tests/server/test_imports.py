"""The import graph of the carelint package: every module imports alone, no carelint modules
import each other in a cycle, and an import inside a function is there for a stated reason.

The graph is read from the source with `ast` (module-level imports, imports inside functions,
and `if TYPE_CHECKING:` imports, which never run and are left out). Importing each module alone
runs in one subprocess: it imports the third-party packages carelint uses once, then forks a
child per carelint module, so each child starts with no carelint module loaded.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import carelint

PACKAGE_DIR = Path(carelint.__file__).resolve().parent

# Imports of one carelint module by another inside a function, and why each is not at the top.
# Most keep spaCy, ONNX, OpenCV or FastAPI out of commands that do not need them: `carelint token`
# or `carelint audit --help` should not wait seconds for a language model's libraries.
DEFERRED = {
    ("carelint.cli.common", "carelint.engine"): "load_checker: the engine imports spaCy",
    ("carelint.cli.common", "carelint.nlp"): "load_checker: nlp imports spaCy",
    ("carelint.cli.check", "carelint.images"): "`rules` only: the image check loads the engine and OpenCV",
    ("carelint.cli.images", "carelint.images"): "`check-image` only: the engine, OpenCV and the OCR engine",
    ("carelint.cli.serve", "carelint.app"): "`serve` only: FastAPI and the engine",
    ("carelint.cli.serve", "carelint.api.pages"): "`serve` only: the web layer",
    ("carelint.cli.serve", "carelint.api.session"): "`serve` only: the web layer",
    ("carelint.cli.audit", "carelint.nlp"): "ModelNotFound from a worker: nlp imports spaCy",
    # The runner is imported by the audit command, hence by every command; it loads the engine
    # (in this process or in each worker) only when posts are checked.
    ("carelint.audit.runner", "carelint.engine"): "the engine imports spaCy",
    ("carelint.audit.runner", "carelint.nlp"): "nlp imports spaCy",
    ("carelint.audit.runner", "carelint.images"): "the image check loads the engine and OpenCV",
    ("carelint", "carelint.batch"): "`from carelint import check_batch` without spaCy for every command",
    ("carelint.batch", "carelint.engine"): "the engine imports spaCy; the audit command imports batch",
    ("carelint.audit.parquet", "carelint.engine"): "ReportedFinding when rendering: the engine imports spaCy",
    # Optional extras (pyarrow, Ray, Spark), loaded only by the runs that ask for them.
    ("carelint.cli.audit", "carelint.audit.parquet"): "pyarrow, an optional extra",
    ("carelint.cli.audit", "carelint.audit.ray_engine"): "Ray, an optional extra",
    ("carelint.cli.audit", "carelint.audit.spark_engine"): "PySpark, an optional extra",
    # No cycle to break here (disclaimer imports platforms and settings only): it could be a
    # module-level import. Left as it is while learned/ is being reworked.
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    deferred: bool  # inside a function (runs when called, not when the module is imported)


def module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = ("carelint", *path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = module_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """The carelint modules an import statement loads (a name imported from a package is the
    submodule of that name when there is one, else the package itself)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    return sorted({n for n in names if n in MODULES and n != module})


def edges(module: str) -> list[Edge]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))
    found: list[Edge] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:  # the `else:` of TYPE_CHECKING runs
                    visit_one(other, in_function)
                continue
            visit_one(child, in_function)

    def visit_one(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.extend(Edge(module, t, node.lineno, in_function) for t in _targets(node, module))
        visit(node, in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(tree, False)
    return found


ALL_EDGES = [e for m in MODULES for e in edges(m)]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := dfs(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := dfs(start)):
            return cycle
    return None


def graph_of(selected: list[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for e in selected:
        graph[e.source].add(e.target)
    return graph


def describe(cycle: list[str]) -> str:
    lines = []
    for a, b in zip(cycle, cycle[1:], strict=False):
        where = next(e for e in ALL_EDGES if e.source == a and e.target == b)
        lines.append(f"{a} (line {where.line}{', in a function' if where.deferred else ''}) imports {b}")
    return "\n".join(lines)


def test_the_graph_sees_the_package():
    assert {"carelint.cli", "carelint.cli.common", "carelint.engine", "carelint.rules.phrases"} <= set(MODULES)
    cli = {e.target for e in ALL_EDGES if e.source == "carelint.cli"}
    assert {"carelint.cli.check", "carelint.cli.serve", "carelint.cli.images", "carelint.cli.audit"} <= cli


def test_no_import_cycle_among_module_level_imports():
    cycle = find_cycle(graph_of([e for e in ALL_EDGES if not e.deferred]))
    assert cycle is None, "import cycle:\n" + describe(cycle)


def test_imports_inside_functions_close_no_cycle_either():
    """A deferred import must not be a patched cycle: with them, the graph is still acyclic."""
    cycle = find_cycle(graph_of(ALL_EDGES))
    assert cycle is None, "import cycle through an import inside a function:\n" + describe(cycle)


def test_imports_inside_functions_are_the_justified_ones():
    deferred = {(e.source, e.target): e.line for e in ALL_EDGES if e.deferred}
    unexplained = {k: line for k, line in deferred.items() if k not in DEFERRED}
    assert not unexplained, (
        f"carelint modules imported inside a function: {unexplained}. Import them at the top, or add "
        "them to DEFERRED with the reason (a heavy dependency some commands do not need).")
    stale = set(DEFERRED) - set(deferred)
    assert not stale, f"no longer imported inside a function, remove from DEFERRED: {sorted(stale)}"


def test_no_module_imports_the_command_line_or_the_web_layer():
    """Data flows one way (docs/architecture.md): the CLI and the web layer use the engine and
    the features, never the other way round. A command module shares code through
    carelint.cli.common only, never through another command or the app in carelint.cli."""
    for e in ALL_EDGES:
        if e.target.startswith(("carelint.cli", "carelint.api")) or e.target == "carelint.app":
            assert e.source.startswith(("carelint.cli", "carelint.api", "carelint.app", "carelint.__main__")), e
        if e.source.startswith("carelint.cli.") and e.target.startswith("carelint.cli"):
            assert e.target == "carelint.cli.common", e


_IMPORT_EACH_ALONE = textwrap.dedent("""
    import importlib, json, os, sys, traceback

    request = json.loads(sys.stdin.read())
    for name in request["preload"]:
        try:
            importlib.import_module(name)
        except Exception:
            pass  # an optional package; the module that needs it will say so
    sys.stdout.flush()
    sys.stderr.flush()

    def child(module, report):
        try:
            if module == "carelint.__main__":  # the entry point: it runs the CLI
                sys.argv = ["carelint", "--help"]
                sys.stdout = open(os.devnull, "w")
            importlib.import_module(module)
            return 0
        except SystemExit as exc:
            if exc.code in (0, None):
                return 0
            message = f"SystemExit({exc.code!r})"
        except BaseException:
            message = traceback.format_exc()
        with open(report, "w") as fh:
            fh.write(message)
        return 1

    todo = list(enumerate(request["modules"]))
    running = {}  # pid -> (module, report file)
    failures = {}
    while todo or running:
        while todo and len(running) < request["parallel"]:
            index, module = todo.pop(0)
            report = os.path.join(request["reports"], str(index))
            pid = os.fork()
            if pid == 0:
                os._exit(child(module, report))
            running[pid] = (module, report)
        pid, status = os.wait()
        module, report = running.pop(pid)
        if status != 0:
            failures[module] = open(report).read() if os.path.exists(report) else f"wait status {status}"
    print(json.dumps(failures))
""")


def _third_party() -> list[str]:
    """The other modules carelint modules import at module level (spaCy's, Presidio's, …), so
    that each child only spends its time on carelint's own."""
    names = set()
    for path in MODULES.values():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in ("carelint", "__future__"))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="imports each module in a forked child")
def test_every_module_imports_alone(tmp_path):
    env = {**os.environ, "CARELINT_CONFIG_DIR": str(tmp_path)}
    reports = tmp_path / "reports"
    reports.mkdir()
    request = json.dumps({"preload": _third_party(), "modules": sorted(MODULES), "reports": str(reports),
                          "parallel": min(8, os.cpu_count() or 1)})
    proc = subprocess.run([sys.executable, "-c", _IMPORT_EACH_ALONE], input=request, capture_output=True,
                          text=True, timeout=600, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    failures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not failures, "\n\n".join(f"{m}:\n{message}" for m, message in failures.items())
