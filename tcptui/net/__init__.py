"""The TCP client engine: targets, lifecycle events and the I/O thread. No Textual here."""
