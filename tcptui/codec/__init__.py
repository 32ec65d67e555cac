"""Pure byte-to-text conversions: safe display, hex dumps, copy formats and composer syntax."""
