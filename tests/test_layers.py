"""Imports only run down the layers of docs/architecture.md.

A module imports its own layer or lower ones; a package's `routes.py` (its HTTP edge, or
`<part>_routes.py` where a package's routes are split by job) may also use `service/api`, but
through it reach nothing above its own layer: every module it loads, following imports through
service/api, is at its layer or lower. A new top-level package or module must be given a layer
here, so the rule cannot be side-stepped by adding one.
"""

from __future__ import annotations

import ast
from pathlib import Path

from service.settings import PROJECT_ROOT

SERVICE = PROJECT_ROOT / "service"

FOUNDATIONS, CORE, USE_CASES, COMPOSITION = 1, 2, 3, 4
LAYERS = {
    "errors": FOUNDATIONS,
    "settings": FOUNDATIONS,
    "files": FOUNDATIONS,
    "db": FOUNDATIONS,
    "observability": FOUNDATIONS,
    "roles": FOUNDATIONS,
    "workloads": CORE,
    "policies": CORE,
    "opa": CORE,
    "sizing": CORE,
    "labels": CORE,
    "decisions": USE_CASES,
    "auth": USE_CASES,
    "catalog": USE_CASES,
    "health": USE_CASES,
    "audit": USE_CASES,
    "evidence": USE_CASES,
    "impact": USE_CASES,
    "exceptions": USE_CASES,
    "api": COMPOSITION,
    "runtime": COMPOSITION,
    "main": COMPOSITION,
    "cli": COMPOSITION,
    "ui": COMPOSITION,
    "generated": COMPOSITION,
    "migrations": COMPOSITION,
}


def _top(path: Path) -> str:
    return path.relative_to(SERVICE).parts[0].removesuffix(".py")


def _service_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of each `service.…` import in `path`; for `from service.a import b`,
    also `service.a.b` when b is a module (what the walk in _loaded follows)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            names += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if _source(f"{node.module}.{alias.name}") is not None
            ]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.startswith("service.")]
    return found


def _source(module: str) -> Path | None:
    """The file of a `service.…` module (a package's __init__.py), or None for a name that is
    not a module (a class or function imported from one)."""
    base = PROJECT_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _loaded(path: Path) -> dict[str, str]:
    """Every `service.…` module importing `path` loads, directly or through other modules,
    each with the chain of imports that reaches it (for the failure message)."""
    chains: dict[str, str] = {}
    todo = [(path, str(path.relative_to(PROJECT_ROOT)))]
    while todo:
        current, chain = todo.pop()
        for _line, module in _service_imports(current):
            source = _source(module)
            if source is None or module in chains:
                continue
            chains[module] = f"{chain} -> {module}"
            todo.append((source, chains[module]))
    return chains


def _modules() -> list[Path]:
    return [
        p for p in sorted(SERVICE.rglob("*.py")) if p.relative_to(SERVICE).parts[0] != "__init__.py"
    ]


def _is_http_edge(path: Path) -> bool:
    return path.stem == "routes" or path.stem.endswith("_routes")


def test_every_top_level_module_has_a_layer() -> None:
    unplaced = {_top(p) for p in _modules()} - set(LAYERS)
    assert not unplaced, (
        f"give these a layer in tests/test_layers.py and docs/architecture.md: {unplaced}"
    )


def test_imports_only_run_down() -> None:
    upward = []
    for path in _modules():
        own = LAYERS[_top(path)]
        for line, module in _service_imports(path):
            target = module.split(".")[1]
            if target not in LAYERS:
                continue  # `service` itself (the version)
            if LAYERS[target] <= own:
                continue
            if _is_http_edge(path) and target == "api":
                continue
            upward.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}")
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)


def test_routes_reach_nothing_above_their_layer_through_service_api() -> None:
    """A core package's routes (sizing, policies) that take their dependencies from service/api
    must not load the decision log, the runtime or the OPA supervisor with them."""
    leaks = []
    for path in _modules():
        if not _is_http_edge(path):
            continue
        own = LAYERS[_top(path)]
        for module, chain in _loaded(path).items():
            target = module.split(".")[1]
            if target in LAYERS and target != "api" and LAYERS[target] > own:
                leaks.append(chain)
    assert not leaks, "routes that load modules above their layer:\n" + "\n".join(sorted(leaks))


def test_the_walk_follows_imports_through_service_api() -> None:
    """The walk is not vacuous: the decision routes load the group commit through
    service/api/use_case_deps.py, and the sizing routes load the sizing engine."""
    decision_routes = _loaded(SERVICE / "decisions" / "routes.py")
    assert "service.api.use_case_deps" in decision_routes
    assert "service.decisions.group_commit" in decision_routes
    assert "service.sizing.service" in _loaded(SERVICE / "sizing" / "routes.py")
    main = _loaded(SERVICE / "main.py")
    assert {"service.runtime", "service.opa.supervisor"} <= set(main)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The rule is not vacuous: an upward import written the usual way is found."""
    module = tmp_path / "probe.py"
    module.write_text("from service.runtime import Runtime\nimport service.decisions.models\n")
    assert _service_imports(module) == [(1, "service.runtime"), (2, "service.decisions.models")]
