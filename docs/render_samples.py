"""Write docs/samples/: every report format, produced by running the tool on the demo.

Run `python docs/render_samples.py` (from the repository, with the project's
environment active) after changing a report. It copies `examples/demo` into a
temporary git repository and runs `pytest --healthgate` three times: with every
test, then twice without the export tests (their file removed), so the history
has three rows and the last runs have a "why it moved" line and a trend. The
third runs as on GitHub Actions (`GITHUB_ACTIONS=true`, a step summary file), so
its workflow commands are kept too. Then `healthgate report FORMAT` renders the
recorded run in every format it knows. The temporary folder's path is replaced by `examples/demo`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "examples" / "demo"
SAMPLES = HERE / "samples"
GIT = ["git", "-c", "user.name=demo", "-c", "user.email=demo@example.invalid"]
EXTENSIONS = {"json": "json", "md": "md", "badge": "svg", "sarif": "sarif", "html": "html"}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def _demo_repository(folder: Path) -> Path:
    root = folder / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".healthgate", ".coverage*"))
    for arguments in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "demo"]):
        subprocess.run([*GIT, *arguments], cwd=root, check=True, capture_output=True)
    return root


def _clean_environment(summary: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "PYTEST_"))}
    return {**env, "GITHUB_STEP_SUMMARY": str(summary)}


def render(target: Path) -> list[Path]:
    """Write the samples into ``target``; the files written."""
    from pytest_healthgate.pipeline import RENDERERS

    target.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        root = _demo_repository(Path(scratch))
        summary = Path(scratch) / "step-summary.md"
        env = _clean_environment(summary)
        pytest = [sys.executable, "-m", "pytest", "--healthgate", "-p", "no:cacheprovider"]
        _run(pytest, root, env)
        (root / "tests" / "test_export.py").unlink()
        second = _run(pytest, root, env)
        third = _run(pytest, root, {**env, "GITHUB_ACTIONS": "true"})
        outputs = {
            "second-run.txt": second.stdout,
            "terminal.txt": third.stdout,
            "step-summary.md": summary.read_text(),
        }
        for fmt in RENDERERS:
            report = [sys.executable, "-m", "pytest_healthgate.cli", "report", fmt]
            outputs[f"report.{EXTENSIONS.get(fmt, fmt)}"] = _run(report, root, env).stdout
        for name, text in outputs.items():
            path = target / name
            path.write_text(text.replace(str(root), "examples/demo"))
            written.append(path)
    return written


if __name__ == "__main__":
    for path in render(SAMPLES):
        print(f"wrote {path.relative_to(HERE.parent)}")
