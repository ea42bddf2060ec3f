"""Text from the analysed project, made safe for one line of a terminal.

File names, comments and tool messages come from the project, and may hold a
newline (which would split a ``path:line: problem`` line in two), ANSI or OSC
escape sequences (which could clear the screen, set the terminal title or fake
output) or invisible bidirectional controls. ``escape`` shows each such
character as a Python escape (``\\n``, ``\\x1b``, ``\\u202e``) and leaves every
other character, backslashes included, as it is.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters that reorder the text shown around them (CVE-2021-42574, "Trojan source").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escaped(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(character: str) -> bool:
    return character in _BIDI or unicodedata.category(character) == "Cc"


def escape(text: str) -> str:
    """``text`` with control characters shown as escapes; unchanged when it has none."""
    if text.isprintable():
        return text  # the common case, and the fast one
    return "".join(_escaped(char) if _unsafe(char) else char for char in text)
