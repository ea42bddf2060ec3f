"""Reading a file as Python reads it: decode (PEP 263), then parse.

A file that does not decode or parse is one ``SourceProblem``: a critical
finding for the per-file analysis, and a file mypy is run again without.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path
from typing import NamedTuple

from pytest_healthgate.collect.static.results import SourceProblem


class ParsedSource(NamedTuple):
    text: str
    tree: ast.Module


def decode(data: bytes) -> str | SourceProblem:
    """The source text as Python reads it, or where and why it cannot be read."""
    problem: str | None = None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # A bad byte in the first two lines, or an unknown coding cookie.
        encoding, problem = "utf-8", f"cannot be decoded: {exc}"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return SourceProblem(line, f"cannot be decoded as {encoding}: byte 0x{bad} is not valid")
    return SourceProblem(1, problem) if problem else text


def parse(text: str, name: str) -> ast.Module | SourceProblem:
    try:
        return ast.parse(text, filename=name)
    except SyntaxError as exc:
        return SourceProblem(exc.lineno or 1, f"does not parse: {exc.msg}")
    except ValueError as exc:  # null bytes on Python < 3.12
        return SourceProblem(1, f"does not parse: {exc}")
    except (RecursionError, MemoryError):
        return SourceProblem(1, "does not parse: nested too deeply for the Python parser")


def read_python(data: bytes, name: str) -> ParsedSource | SourceProblem:
    """The text and syntax tree of a file's content, or why it is not Python."""
    text = decode(data)
    if isinstance(text, SourceProblem):
        return text
    tree = parse(text, name)
    return tree if isinstance(tree, SourceProblem) else ParsedSource(text, tree)


def source_problem(path: Path) -> SourceProblem | None:
    """Why the file cannot be read as Python, or None when it can."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return SourceProblem(1, f"cannot be read: {exc.strerror or exc}")
    parsed = read_python(data, str(path))
    return parsed if isinstance(parsed, SourceProblem) else None
