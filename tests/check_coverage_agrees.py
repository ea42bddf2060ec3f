"""After `pytest --healthgate` on this repository: the gate's total equals `coverage report`'s.

Run by `make test` right after the self-gated suite, on the data file that run left.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    document = json.loads((ROOT / ".healthgate" / "last-run.json").read_text())
    coverage = next(metric for metric in document["metrics"] if metric["name"] == "coverage")
    completed = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--format=total"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    reported = completed.stdout.strip()
    gated = coverage["display"].rstrip("%")
    if reported != gated:
        print(f"coverage totals disagree: healthgate {gated}%, coverage report {reported}%")
        return 1
    print(f"coverage totals agree: healthgate {gated}% == coverage report {reported}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
