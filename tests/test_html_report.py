"""The HTML dashboard, opened in a real headless Chromium (Debian's `chromium` package).

`.ci/run` installs Chromium before `make test`, so CI runs these tests; they skip
only on a machine where no Chromium binary exists, and say which package to add.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pytest_healthgate.report import html as html_report
from tests.helpers import write, write_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here: install Debian's `chromium` package"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
HOSTILE = "<img src=x onerror=alert(1)>.py"

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 50 }
pass_rate = { fail = 90 }
debt = { fail = "1d" }
"""

TESTS = "from calc import one, two\n\ndef test_one():\n    assert one() == 1\n{more}"


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of each `class` element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def parsed(markup: str) -> Tags:
    tags = Tags()
    tags.feed(markup)
    return tags


def three_runs(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, PLAYBOOK)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(pytester, f"src/calc/{HOSTILE}", "# TODO: <script>alert('x')</script>\nVALUE = 1\n")
    write(
        pytester,
        "tests/test_calc.py",
        TESTS.format(more="\ndef test_two():\n    assert two() == 2\n"),
    )
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    return root


def report(root: Path) -> Path:
    page = root / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "report", "html", str(page)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return page


def test_the_page_is_self_contained_and_escapes_what_the_project_wrote(
    pytester: pytest.Pytester,
) -> None:
    root = three_runs(pytester)
    markup = report(root).read_text()
    tags = parsed(markup)
    names = {tag for tag, _attrs in tags.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed"}
    for _tag, attrs in tags.tags:  # nothing is fetched from anywhere
        assert not any(k in ("src", "href") for k in attrs), attrs
        assert not any(k.startswith("on") for k in attrs), attrs
    text = "".join(tags.texts)
    assert f"src/calc/{HOSTILE}" in text  # shown as text, where a reader sees it
    assert "default-src 'none'" in markup


@needs_chromium
def test_chromium_shows_the_score_the_tables_and_a_chart_with_a_point_per_run(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    from PIL import Image

    root = three_runs(pytester)
    page = report(root)
    score = json.loads((root / ".healthgate" / "last-run.json").read_text())["health"]["score"]

    dom = parsed(chromium(page, tmp_path / "profile", "--dump-dom").stdout)
    assert f"{score:g}" in dom.texts
    circles = [a for tag, a in dom.tags if tag == "circle" and a.get("class") == "point"]
    assert len(circles) == 3 * 4  # health, coverage, pass_rate and debt: three runs each
    ids = {a.get("id") for _tag, a in dom.tags}
    assert {"score", "gates", "trends", "trend-health", "coverage", "debt"} <= ids
    assert f"src/calc/{HOSTILE}" in dom.texts  # a text node, not an element

    shot = tmp_path / "report.png"
    chromium(page, tmp_path / "profile", "--window-size=1100,3000", f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 3000)
    assert len(image.getcolors(1 << 24) or []) > 50  # drawn, not blank
    # The score's chart is the only thing in its colour: one dot per run.
    assert dots(image, html_report.HEALTH_COLOUR) == 3


def dots(image: object, colour: str, tolerance: int = 12) -> int:
    """Connected areas of ``colour`` in ``image`` with at least 9 pixels."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    width, height = image.size
    pixels = image.load()
    assert pixels is not None

    def close(x: int, y: int) -> bool:
        pixel = pixels[x, y]
        assert isinstance(pixel, tuple)
        return all(abs(int(a) - b) <= tolerance for a, b in zip(pixel, want, strict=False))

    seen: set[tuple[int, int]] = set()
    areas = 0
    for y in range(height):
        for x in range(width):
            if (x, y) in seen or not close(x, y):
                continue
            size, queue = 0, deque([(x, y)])
            seen.add((x, y))
            while queue:
                px, py = queue.popleft()
                size += 1
                for nx, ny in ((px + 1, py), (px - 1, py), (px, py + 1), (px, py - 1)):
                    if (
                        0 <= nx < width
                        and 0 <= ny < height
                        and (nx, ny) not in seen
                        and close(nx, ny)
                    ):
                        seen.add((nx, ny))
                        queue.append((nx, ny))
            areas += size >= 9
    return areas
