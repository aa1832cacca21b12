"""The structure docs/architecture.md promises, checked on the source: the engine's packages form a
directed acyclic graph (in-function imports included), and nothing outside the command layer changes a
case through a service below it."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "engine"

# What changes a case (or its clocks, messages, rules) below the command layer. Entry points must call
# engine.commands instead.
STATE_CHANGING = {
    "engine.cases.service": {"start_case", "cancel_case", "persist"},
    "engine.tasks.service": {"claim", "unclaim", "transfer", "complete"},
    "engine.sla.services": {"urge", "decide_extension", "request_extension", "advance_stage", "pause_clock",
                            "resume_clock"},
    "engine.sla.task_stages": {"advance_stage_for_task"},
    "engine.sla.task_extensions": {"request_extension_for_task"},
    "engine.messages.service": {"send_message", "deliver_all"},
    "engine.messages.delivery": {"deliver_to_case"},
    "engine.events.service": {"ingest", "ingest_internal", "process_event"},
    "engine.attachments.service": {"attach_uploads", "store_start_uploads", "bind_to_case"},
    "engine.incidents.service": {"open_incident", "close_incident", "failed_again"},
    "engine.incidents.failures": {"record_user_failure"},
    "engine.incidents.stalls": {"report_stalls"},
    "engine.migration.service": {"migrate_stored_case"},
}
# Whole modules an entry point may not import as a module (it could call anything in them).
STATE_CHANGING_MODULES = {"engine.tasks.service", "engine.cases.service", "engine.sla.services"}


def _imports(path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(module, name or None, line) for every import in the file, in functions too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno


def _package_of(path: Path) -> str:
    parts = path.relative_to(ENGINE).parts
    return parts[0].removesuffix(".py")


def engine_package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ENGINE.rglob("*.py"):
        source = _package_of(path)
        if source == "__init__":
            continue
        edges = graph.setdefault(source, set())
        for module, name, _line in _imports(path):
            if module == "engine" and name:
                target = name
            elif module.startswith("engine."):
                target = module.split(".")[1]
            else:
                continue
            if target != source:
                edges.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_engine_packages_import_each_other_without_a_cycle() -> None:
    cycle = find_cycle(engine_package_graph())
    assert cycle is None, "engine packages import in a cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_domain_core_never_imports_the_app_the_demo_or_the_web() -> None:
    graph = engine_package_graph()
    outside = {"app", "demo"}
    offenders = {pkg: sorted(targets & outside) for pkg, targets in graph.items()
                 if pkg not in outside and targets & outside}
    assert offenders == {}
    for path in ENGINE.rglob("*.py"):
        if _package_of(path) in outside:
            continue  # the CLI serves the web app; the core below it never sees Flask
        web_imports = [module for module, _n, _l in _imports(path)
                       if module in ("flask", "web") or module.startswith(("flask.", "web."))]
        assert web_imports == [], path


def _entry_point_files() -> list[Path]:
    roots = [PROJECT_ROOT / "web", ENGINE / "app", ENGINE / "demo", PROJECT_ROOT / "bench",
             ENGINE / "reactions" / "time_limit_timers.py"]
    files: list[Path] = []
    for root in roots:
        files.extend([root] if root.is_file() else
                     [p for p in root.rglob("*.py") if "node_modules" not in p.parts and "static" not in p.parts])
    return files


def _state_changes_below_commands(path: Path) -> list[str]:
    found = []
    for module, name, line in _imports(path):
        if name is not None and name in STATE_CHANGING.get(module, set()):
            found.append(f"{path.name}:{line} imports {module}.{name}")
        full = f"{module}.{name}" if name else module
        if full in STATE_CHANGING_MODULES:
            found.append(f"{path.name}:{line} imports the module {full}")
    return found


@pytest.mark.parametrize("path", _entry_point_files(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_web_cli_worker_demo_and_benchmarks_change_cases_only_through_commands(path: Path) -> None:
    assert _state_changes_below_commands(path) == []


def test_the_entry_point_check_sees_a_service_import_even_inside_a_function(tmp_path: Path) -> None:
    probe = tmp_path / "handler.py"
    probe.write_text("def f():\n    from engine.tasks.service import complete\n    from engine.tasks import service\n",
                     encoding="utf-8")
    assert len(_state_changes_below_commands(probe)) == 2
