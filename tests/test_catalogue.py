"""Every place that lists gates follows the catalogue.

Config, collector selection, `healthgate check`, the hooks, the terminal and docs.
"""

from __future__ import annotations

import ast
import importlib
import json
import tomllib
from pathlib import Path

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.catalogue import Catalogue, CatalogueError, CollectorSpec, MetricSpec
from pytest_healthgate.cli import main
from pytest_healthgate.collect.lifecycle import CollectorSet
from pytest_healthgate.config import ConfigError, load
from pytest_healthgate.gates import judge_gate
from pytest_healthgate.model import Bounds, Detail, Direction, Measurement
from pytest_healthgate.precommit import healthgate_import_time
from pytest_healthgate.reference import reference
from pytest_healthgate.report import terminal
from pytest_healthgate.units import Unit

CATALOGUE = builtin_catalogue()
SPECS = list(CATALOGUE.metrics.values())
SRC = Path(__file__).resolve().parent.parent / "src" / "pytest_healthgate"


def configure(tmp_path: Path, gates: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.healthgate]\nsource = ["pkg"]\n[tool.healthgate.gates]\n{gates}\n'
    )
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    return tmp_path


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_config_accepts_each_gate_with_its_documented_example(
    tmp_path: Path, spec: MetricSpec
) -> None:
    settings = load(
        configure(tmp_path, f"{spec.name} = {spec.example}"), tmp_path / "pyproject.toml"
    )
    written = tomllib.loads(f"x = {spec.example}")["x"]
    assert spec.name in settings.gates
    assert (settings.gates[spec.name].fail is None) == ("fail" not in written)


def test_config_rejects_a_name_the_catalogue_does_not_hold(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'complexity'"):
        load(configure(tmp_path, 'complexty = { fail = "D" }'), tmp_path / "pyproject.toml")


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_each_gate_selects_the_collector_the_catalogue_names(
    tmp_path: Path, spec: MetricSpec
) -> None:
    settings = load(
        configure(tmp_path, f"{spec.name} = {spec.example}"), tmp_path / "pyproject.toml"
    )
    collectors = CollectorSet(settings, only=[spec.name])
    selected = [c for c in settings.catalogue.collectors if collectors.gates_for(c)]
    assert selected == [spec.collector]
    factory = CATALOGUE.collectors[spec.collector].factory
    assert isinstance(factory, str)
    module, _, attribute = factory.partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_check_judges_exactly_the_gates_of_static_collectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    static = [s.name for s in SPECS if CATALOGUE.collectors[s.collector].static]
    assert (
        CATALOGUE.static_gates()
        == static
        == [
            "debt",
            "debt_ratio",
            "rating",
            "complexity",
            "critical",
            "structure",
            "new_debt",
            "new_complexity",
            "docstrings",
            "contracts",
            "duplication",
            "external",
            "vulnerabilities",
            "dead_code",
        ]
    )
    every_gate = "\n".join(f"{spec.name} = {spec.example}" for spec in SPECS)
    monkeypatch.chdir(configure(tmp_path, every_gate))
    main(["check", "--format", "json"])
    judged = [metric["name"] for metric in json.loads(capsys.readouterr().out)["metrics"]]
    assert judged == static


def test_the_import_hook_judges_the_gates_of_the_import_collector() -> None:
    assert CATALOGUE.gates_of(healthgate_import_time.COLLECTOR) == ["import_time", "import_memory"]


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_the_terminal_titles_each_gates_details_from_its_entry(spec: MetricSpec) -> None:
    details = [Detail(f"item {n}", n, spec.unit) for n in range(20)]
    gate = judge_gate(spec, Measurement(spec.name, value=1, details=details), Bounds())
    lines = [text for text, _markup in terminal.render(_result(gate))]
    assert f"{spec.name}: {spec.detail_title}" in lines
    assert sum(1 for text in lines if "item " in text) == spec.details_shown


def _result(gate: object) -> terminal.RunResult:
    return terminal.RunResult(gates=[gate])  # type: ignore[list-item]


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_the_reference_in_docs_has_a_row_for_each_gate(spec: MetricSpec) -> None:
    page = (SRC.parent.parent / "docs" / "configuration.md").read_text()
    assert f"| `{spec.name}` | {spec.unit.value} | {spec.direction.value} |" in page
    assert f"| `{spec.name}` |" in reference(CATALOGUE)


def test_no_module_but_the_catalogue_spells_out_the_gate_names() -> None:
    # A list of gate names in config, the pipeline, the surfaces or the reports would
    # be a second place to keep in step. (A collector names the figures it produces.)
    names = set(CATALOGUE.metrics)
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "builtin.py" or "collect" in path.relative_to(SRC).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant)}
                if len(words & names) >= 2:
                    offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


def test_only_the_pipeline_judges_and_decides_exit_statuses() -> None:
    users = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "evaluate(" in path.read_text() or "result.ok else 1" in path.read_text()
    }
    assert users == {"gates.py", "pipeline.py"}


def test_a_second_gate_under_one_name_is_refused() -> None:
    catalogue = Catalogue()
    catalogue.add(CollectorSpec("mine", "x:y"))
    spec = MetricSpec("mine", Unit.COUNT, Direction.LOWER, "", "", collector="mine")
    catalogue.add(spec)
    with pytest.raises(CatalogueError, match="two plugins declare the gate 'mine'"):
        catalogue.add(spec)


def test_a_gate_naming_no_collector_is_refused() -> None:
    catalogue = Catalogue()
    catalogue.add(MetricSpec("orphan", Unit.COUNT, Direction.LOWER, "", "", collector="gone"))
    with pytest.raises(CatalogueError, match="names the collector 'gone'"):
        catalogue.verify()


def test_the_standalone_manager_knows_the_plugins_hooks_as_pytest_does() -> None:
    import inspect

    from pytest_healthgate.catalogue import StandaloneSpecs
    from pytest_healthgate.plugin import HookSpecs

    ours = {name for name in vars(HookSpecs) if name.startswith("pytest_")}
    standalone = {name for name in vars(StandaloneSpecs) if name.startswith("pytest_")}
    assert ours == standalone == {"pytest_healthgate_register"}
    for name in ours:
        expected = inspect.signature(getattr(HookSpecs, name))
        assert inspect.signature(getattr(StandaloneSpecs, name)) == expected


def test_the_standalone_catalogue_takes_unmarked_and_marked_plugins_without_pytest() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, types\n"
        "from pytest_healthgate.catalogue import StandaloneManager, collect_catalogue\n"
        "from pytest_healthgate.catalogue import MetricSpec, CollectorSpec, register_plugins\n"
        "plain = types.ModuleType('plain')\n"
        "def pytest_healthgate_register(catalogue):\n"
        "    catalogue.add(CollectorSpec('extra', lambda context: None))\n"
        "plain.pytest_healthgate_register = pytest_healthgate_register\n"
        "manager = StandaloneManager()\n"
        "register_plugins(manager)\n"
        "manager.register(plain, 'plain')\n"
        "catalogue = collect_catalogue(manager.hook)\n"
        "print('extra' in catalogue.collectors, 'coverage' in catalogue.metrics,"
        " 'pytest' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.split() == ["True", "True", "False"]


# Entry points: a plugin found without importlib.metadata where none can be installed.


def _distribution(folder: Path, name: str, entry_points: str | None) -> None:
    info = folder / name
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.partition('-')[0]}\n")
    if entry_points is not None:
        (info / "entry_points.txt").write_text(entry_points)


def _entry_points_on(monkeypatch: pytest.MonkeyPatch, path: list[str]) -> tuple[bool, list[str]]:
    """What the pre-check says, and what importlib.metadata finds, for this sys.path."""
    import importlib.metadata
    import sys

    from pytest_healthgate import catalogue

    monkeypatch.setattr(sys, "path", path)
    catalogue._entry_points.cache_clear()
    found = [ep.name for ep in importlib.metadata.entry_points(group="healthgate")]
    ours = [ep.name for ep in catalogue._entry_points()]
    catalogue._entry_points.cache_clear()
    assert ours == found
    return catalogue._may_declare_plugins(), found


def test_no_plugin_is_told_without_importlib_metadata_where_none_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _distribution(tmp_path, "other-1.0.dist-info", "[pytest11]\nhealthgate = other.plugin\n")
    _distribution(tmp_path, "plain-2.0.dist-info", None)
    _distribution(tmp_path, "old-3.0.egg-info", "[console_scripts]\nhealthgate = old:main\n")
    (tmp_path / "single-4.0.egg-info").write_text("Metadata-Version: 1.0\nName: single\n")
    may, found = _entry_points_on(monkeypatch, [str(tmp_path), str(tmp_path / "missing")])
    assert (may, found) == (False, [])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("mine-1.0.dist-info", "[healthgate]\nmine = mine.gates\n"),
        (
            "Mine-1.0.DIST-INFO",
            "[console_scripts]\nx = y:z\n\n  [healthgate]  \nmine = mine.gates\n",
        ),
        ("mine-1.0.egg-info", "[healthgate]\nmine = mine.gates\n"),
    ],
)
def test_a_plugin_a_distribution_declares_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str
) -> None:
    _distribution(tmp_path, name, text)
    assert _entry_points_on(monkeypatch, [str(tmp_path)]) == (True, ["mine"])
    assert "[healthgate]" in text  # importlib.metadata's own reading of the header


def test_an_eggs_own_metadata_is_read_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    egg = tmp_path / "mine-1.0-py3.11.egg"
    _distribution(egg, "EGG-INFO", "[healthgate]\nmine = mine.gates\n")
    may, found = _entry_points_on(monkeypatch, [str(egg)])
    assert may
    assert found == ["mine"]


def test_what_the_pre_check_cannot_read_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import zipfile

    from pytest_healthgate import catalogue

    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("mine-1.0.dist-info/entry_points.txt", "[healthgate]\nmine = m\n")
        zipped.writestr("mine-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: mine\n")
    assert _entry_points_on(monkeypatch, [str(archive)]) == (True, ["mine"])

    class Finder:  # a meta path finder with distributions of its own (pex, zipapps)
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing")])
    monkeypatch.setattr(sys, "meta_path", [Finder, *sys.meta_path])
    assert catalogue._may_declare_plugins()


def test_a_check_with_no_plugin_installed_does_not_import_importlib_metadata(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text('[tool.healthgate]\nsource = ["pkg"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    script = (
        "import sys\n"
        "from pytest_healthgate.cli import main\n"
        "status = main(['check', '--format', 'json'])\n"
        "print('importlib.metadata' in sys.modules, status, file=sys.stderr)\n"
    )
    # The first run analyses, and bandit imports importlib.metadata; the second is warm.
    said = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        .stderr.strip()
        .splitlines()[-1]
        for _run in range(2)
    ]
    assert said == ["True 0", "False 0"]
