"""docs/render_samples.py: the documented samples come from real runs of the demo."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import jsonschema

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_three_demo_runs_give_a_moved_score_a_trend_and_every_format(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("render_samples", DOCS / "render_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = {path.name: path.read_text() for path in module.render(tmp_path)}
    assert {"second-run.txt", "terminal.txt", "step-summary.md", "report.md", "report.svg"} <= set(
        written
    )
    moved = r"coverage -\d+\.\d+ points \(src/demo/legacy/export\.py lost 6 covered lines\)"
    assert re.search(moved, written["second-run.txt"]), written["second-run.txt"]
    assert "healthgate: health trend over the last 3 runs: " in written["terminal.txt"]
    assert "::error title=healthgate coverage::" in written["terminal.txt"]
    assert written["step-summary.md"].startswith("## healthgate: FAIL")
    assert "<svg" in written["report.svg"]
    document = json.loads(written["report.json"])
    schema = json.loads((DOCS / "last-run.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["run"]["root"] == "examples/demo"  # the scratch folder is not shown
    # The samples in docs/ are such a run's (times and sizes differ from run to run).
    assert "<svg" in written["report.html"]
    assert json.loads(written["report.sarif"])["version"] == "2.1.0"
    for name in ("second-run.txt", "terminal.txt", "report.md", "report.svg", "report.html"):
        assert (DOCS / "samples" / name).is_file(), name
