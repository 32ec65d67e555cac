"""Builds bytes from typed text and raw bytes, reporting unencodable characters by column."""

from __future__ import annotations

import codecs

from tcptui.codec.errors import CodecError, quoted


class ColumnEncoder:
    """One incremental encoder for the whole input, so stateful codecs write one BOM, not many."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._encoder = codecs.getincrementalencoder(encoding)()
        self._out = bytearray()
        self._has_text = False

    def add_text(self, text: str, column: int) -> None:
        """Encodes `text`, which starts at `column` of the user's input."""
        if not text:
            return
        try:
            self._out += self._encoder.encode(text)
            self._has_text = True
        except UnicodeEncodeError as error:
            at = column + error.start
            bad = text[error.start]
            raise CodecError(
                f"{quoted(bad)} (column {at}) cannot be encoded in {self._encoding}", at
            ) from None

    def add_raw(self, raw: bytes) -> None:
        self._out += raw

    def finish(self) -> bytes:
        """The bytes so far, with any closing shift sequence (but no BOM for raw-only input)."""
        if self._has_text:
            self._out += self._encoder.encode("", final=True)
        return bytes(self._out)
