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
from typing import Any

# Versions on which the equality with radon was checked over whole corpora. The
# tokenizer changed in 3.12 (f-strings split into tokens, errors raised rather
# than returned), so other versions keep radon's own counting until checked.
PROVEN_VERSIONS = frozenset({(3, 11)})
# Line breaks of str.splitlines (radon's line split) that the tokenizer does not
# treat as line ends; "\r" because the tokenizer reads the text through StringIO,
# which splits on "\n" alone.
OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
SKIPPED = frozenset({tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})


Comment = tuple[int, str]  # a comment token's line and text


class Counts:
    """The running totals radon keeps, by its names."""

    def __init__(self) -> None:
        self.lloc = self.comments = self.single_comments = self.multi = 0
        self.blank = self.sloc = 0

    def as_module(self) -> Any:
        """radon's ``Module`` namedtuple of these counts (loc as radon sums it)."""
        from radon.raw import Module

        loc = self.sloc + self.blank + self.multi + self.single_comments
        fields = (self.lloc, self.sloc, self.comments, self.multi, self.blank)
        return Module(loc, *fields, self.single_comments)


def raw_metrics(text: str) -> Any:
    """``radon.raw.analyze(text)``'s result (a ``radon.raw.Module``), computed in one pass."""
    return raw_metrics_and_comments(text)[0]


def raw_metrics_and_comments(text: str) -> tuple[Any, list[Comment] | None]:
    """``radon.raw.analyze(text)``'s result, and the comments the pass read (None: no pass).

    The comments are every COMMENT token of the text, in order, as a tokenize pass
    of the whole text gives them: the debt-marker scan reads them instead of
    tokenizing the text again.
    """
    from radon.raw import analyze

    if sys.version_info[:2] not in PROVEN_VERSIONS or OTHER_LINE_BREAKS.search(text):
        return analyze(text), None
    counted = _one_pass(text)
    if counted is None:
        return analyze(text), None
    return counted.counts.as_module(), counted.comments


class _UnusualShapeError(Exception):
    """A shape the single pass does not know: radon counts the text itself."""


def _one_pass(text: str) -> _Pass | None:
    """The pass over the whole text, or None where radon's own counting must decide."""
    counted = _Pass([line.strip() for line in text.splitlines()])
    try:
        for kind, string, start, end, _ in tokenize.generate_tokens(io.StringIO(text).readline):
            if kind in SKIPPED:
                continue
            if kind == tokenize.NEWLINE or (kind == tokenize.NL and counted.comment_alone()):
                counted.close()
            elif kind == tokenize.ERRORTOKEN:
                raise _UnusualShapeError
            elif kind != tokenize.NL:
                counted.add(kind, string, start[0], end[0])
        counted.finish()
    except (_UnusualShapeError, tokenize.TokenError, SyntaxError):
        return None
    return counted


class _Pass:
    """radon's counting, fed one token at a time.

    radon splits the text into groups of lines (a statement, a comment alone on
    its line, a blank line) and counts each group from its tokens: ``close``
    does that count for the group ``add`` has been given since the last one.
    """

    def __init__(self, stripped: list[str]) -> None:
        self.stripped = stripped  # radon's lines: str.splitlines(), each stripped
        self.counts = Counts()
        self.comments: list[Comment] = []
        self.next_row = 1  # the first line no group has counted yet
        self._start()

    def _start(self) -> None:
        self.tokens = 0  # in the group, comments and ";" included
        self.first: tuple[int, int, int] = (0, 0, 0)  # its first token: type, rows
        self.last_row = 0
        self.lloc = 0
        # The part of the statement since the last ";": its tokens (not comments)
        # and the index among them of its last ":" (-1: none).
        self.part_tokens = 0
        self.part_colon = -1

    def comment_alone(self) -> bool:
        """The group is one comment: its line's NL ends it (an NL in brackets does not)."""
        return self.tokens == 1 and self.first[0] == tokenize.COMMENT

    def add(self, kind: int, string: str, start_row: int, end_row: int) -> None:
        if not self.tokens:
            self.first = (kind, start_row, end_row)
        self.tokens += 1
        self.last_row = end_row
        if kind == tokenize.COMMENT:
            self.comments.append((start_row, string))
            self.counts.comments += 1
        elif kind == tokenize.OP and string == ";":
            self.lloc += _part_lines(self.part_tokens, self.part_colon, last=False)
            self.part_tokens, self.part_colon = 0, -1
        else:
            if kind == tokenize.OP and string == ":":
                self.part_colon = self.part_tokens
            self.part_tokens += 1

    def close(self) -> None:
        """Count the group read since the last one (``radon.raw.analyze``'s loop body)."""
        kind, first_row, first_end = self.first
        if not self.tokens or first_row < self.next_row:
            raise _UnusualShapeError
        self._blank_lines(first_row)
        lines = self.stripped[first_row - 1 : self.last_row]
        written = len(lines) - lines.count("")
        counts = self.counts
        # radon's is_single_token: one token, then only NL/NEWLINE.
        alone = self.tokens == 1
        if alone and (
            kind == tokenize.COMMENT or (kind == tokenize.STRING and first_row == first_end)
        ):
            counts.single_comments += 1
        elif alone and kind == tokenize.STRING:
            counts.multi += written
            counts.blank += len(lines) - written
        else:
            counts.sloc += written
            counts.blank += len(lines) - written
        counts.lloc += self.lloc + _part_lines(self.part_tokens, self.part_colon, last=True)
        self.next_row = self.last_row + 1
        self._start()

    def finish(self) -> None:
        """The end of the text: no statement may be left open; the lines after are blank."""
        if self.tokens:
            raise _UnusualShapeError  # a statement without its NEWLINE
        self._blank_lines(len(self.stripped) + 1)

    def _blank_lines(self, stop: int) -> None:
        """Lines up to ``stop`` (excluded) belong to no statement: each a blank group."""
        start = self.next_row
        if any(self.stripped[row - 1] for row in range(start, stop)):
            raise _UnusualShapeError
        self.counts.blank += max(0, stop - start)


def _part_lines(tokens: int, colon: int, *, last: bool) -> int:
    """radon's ``_logical`` for one ``;``-separated part: its logical lines.

    2 when it has a colon that code follows, else 1 (0 for an empty part).
    radon's tokens end with ENDMARKER, which only the last part holds; its test
    ``colon == len(part) - 2`` counts it, hence ``last``: in another part, a colon
    before the last token already counts as the end.
    """
    if colon < 0:
        return 1 if tokens else 0
    end = tokens - 1 if last else tokens - 2
    return 1 if colon == end else 2
