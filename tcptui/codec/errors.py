"""The one error type the codecs raise, so the UI can catch it in one place."""

from __future__ import annotations


class CodecError(ValueError):
    """Text that cannot become bytes; `column` (1-based) lets the UI point at the culprit."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
