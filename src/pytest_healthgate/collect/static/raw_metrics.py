"""radon's raw metrics (``radon.raw.analyze``) counted from one pass of the tokenizer.

``radon.raw.analyze`` finds the lines of each statement by tokenizing one line
and, while that fails (an open bracket, a string over several lines), the same
text with the next line added: a call or docstring of n lines is tokenized n
times over, so its cost grows with the square of its length. On five modules of
this project that was 2.0 of a hook's 2.3 seconds; on Django it is most of the
maintainability index's cost.

The counts depend only on which lines make up each statement and on that
statement's tokens, and one tokenize pass of the whole file gives both: a
statement's lines run from its first token to its NEWLINE; a comment alone on
its line ends at its NL; a line in no statement is blank. For each group the
counting below is radon's, rule for rule (see ``_count_group`` and
``_logical_lines``); radon's namedtuple is returned.

It is used only where it has been shown to give radon's figures file by file
(``tests/test_raw_metrics.py`` compares every file of the standard library and
of the installed packages, and ``benchmarks/bench_static.py`` every file of
Django): on the Python versions in ``PROVEN_VERSIONS``, and for text without
the line breaks ``str.splitlines`` knows and the tokenizer does not. Anything
else, or anything the single pass finds unusual (an error token, a tokenizer
error, a non-blank line outside every statement), is counted by radon itself.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections.abc import Iterator
from typing import Any, NamedTuple

# Versions on which the equality with radon was checked over whole corpora. The
# tokenizer changed in 3.12 (f-strings split into tokens, errors raised rather
# than returned), so other versions keep radon's own counting until checked.
PROVEN_VERSIONS = frozenset({(3, 11)})
# Line breaks of str.splitlines (radon's line split) that the tokenizer does not
# treat as line ends; "\r" because the tokenizer reads the text through StringIO,
# which splits on "\n" alone.
OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
COLON = (tokenize.OP, ":")
SEMICOLON = (tokenize.OP, ";")
SKIPPED = frozenset({tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})


class Token(NamedTuple):
    type: int
    string: str
    start_row: int
    end_row: int


class Counts:
    """The running totals radon keeps, by its names."""

    def __init__(self) -> None:
        self.lloc = self.comments = self.single_comments = self.multi = 0
        self.blank = self.sloc = 0


def raw_metrics(text: str) -> Any:
    """``radon.raw.analyze(text)``'s result (a ``radon.raw.Module``), computed in one pass."""
    from radon.raw import Module, analyze

    if sys.version_info[:2] not in PROVEN_VERSIONS or OTHER_LINE_BREAKS.search(text):
        return analyze(text)
    counts = _one_pass(text)
    if counts is None:
        return analyze(text)
    loc = counts.sloc + counts.blank + counts.multi + counts.single_comments
    return Module(
        loc,
        counts.lloc,
        counts.sloc,
        counts.comments,
        counts.multi,
        counts.blank,
        counts.single_comments,
    )


class _UnusualShapeError(Exception):
    """A shape the single pass does not know: radon counts the text itself."""


def _one_pass(text: str) -> Counts | None:
    """The counts, or None where radon's own counting must decide."""
    stripped = [line.strip() for line in text.splitlines()]
    counts = Counts()
    next_row = 1  # the first line not yet counted
    try:
        for group in _groups(text):
            first_row, last_row = group[0].start_row, group[-1].end_row
            if first_row < next_row:
                raise _UnusualShapeError
            _blank_lines(stripped, next_row, first_row, counts)
            _count_group(group, stripped[first_row - 1 : last_row], counts)
            next_row = last_row + 1
        _blank_lines(stripped, next_row, len(stripped) + 1, counts)
    except (_UnusualShapeError, tokenize.TokenError, SyntaxError):
        return None
    return counts


def _groups(text: str) -> Iterator[list[Token]]:
    """Each statement's tokens, and each comment alone on its line, in order."""
    group: list[Token] = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = token.type
        if kind == tokenize.ERRORTOKEN:
            raise _UnusualShapeError
        if kind in SKIPPED:
            continue
        if kind == tokenize.NEWLINE or (kind == tokenize.NL and _comment_alone(group)):
            if not group:
                raise _UnusualShapeError
            yield group
            group = []
        elif kind != tokenize.NL:
            group.append(Token(kind, token.string, token.start[0], token.end[0]))
    if group:
        raise _UnusualShapeError  # a statement without its NEWLINE


def _comment_alone(group: list[Token]) -> bool:
    """A comment on a line of its own: its NL ends its group (an NL in brackets does not)."""
    return len(group) == 1 and group[0].type == tokenize.COMMENT


def _blank_lines(stripped: list[str], start: int, stop: int, counts: Counts) -> None:
    """Lines start..stop-1 belong to no statement: each is a blank group of its own."""
    if any(stripped[row - 1] for row in range(start, stop)):
        raise _UnusualShapeError
    counts.blank += max(0, stop - start)


def _count_group(group: list[Token], lines: list[str], counts: Counts) -> None:
    """radon's counting of one group of lines (``radon.raw.analyze``'s loop body)."""
    counts.comments += [token.type for token in group].count(tokenize.COMMENT)
    written = len(lines) - lines.count("")
    # radon's is_single_token: one token, then only NL/NEWLINE.
    alone = group[0] if len(group) == 1 else None
    if alone is not None and (
        alone.type == tokenize.COMMENT
        or (alone.type == tokenize.STRING and alone.start_row == alone.end_row)
    ):
        counts.single_comments += 1
    elif alone is not None and alone.type == tokenize.STRING:
        counts.multi += written
        counts.blank += len(lines) - written
    else:
        counts.sloc += written
        counts.blank += len(lines) - written
    counts.lloc += _logical_lines(group)


def _logical_lines(group: list[Token]) -> int:
    """radon's ``_logical``: per ``;``-separated part, 2 when a colon is followed by code.

    radon's tokens end with ENDMARKER, which only the last part holds; the
    position test ``colon == len(part) - 2`` counts it, so it is kept here too.
    """
    parts: list[list[tuple[int, str]]] = [[]]
    for token in group:
        pair = (token.type, token.string)
        if pair == SEMICOLON:
            parts.append([])
        elif token.type != tokenize.COMMENT:
            parts[-1].append(pair)
    parts[-1].append((tokenize.ENDMARKER, ""))
    total = 0
    for part in parts:
        colon = _last_index(part, COLON)
        if colon is not None:
            total += 2 - (colon == len(part) - 2)
        elif any(kind != tokenize.ENDMARKER for kind, _ in part):
            total += 1
    return total


def _last_index(part: list[tuple[int, str]], pair: tuple[int, str]) -> int | None:
    for index in range(len(part) - 1, -1, -1):
        if part[index] == pair:
            return index
    return None
