"""The one error type the codecs raise, so the UI can catch it in one place."""

from __future__ import annotations


class CodecError(ValueError):
    """Text that cannot become bytes; `column` (1-based) lets the UI point at the culprit."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def quoted(text: str) -> str:
    """What the user typed, quoted for a message as they would write it (`'\\'`, not Python's
    `'\\\\'`); a character that is not printable is named by its code point (U+001B)."""
    shown = "".join(char if char.isprintable() else f"U+{ord(char):04X}" for char in text)
    mark = '"' if "'" in shown else "'"
    return f"{mark}{shown}{mark}"
