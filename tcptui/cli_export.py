"""`tcptui --open FILE --export PATH`: a saved session's messages written out, with no UI.

For scripts and pipelines (`--export /dev/stdout | jq`): the same exports by message as the
save dialog's, under the grouping `--group` (or the setting `group`) names. The outcome is one
sentence on stderr, the status 0 when written and 1 when not; nothing is half written. A
session file cut short is exported as far as it is intact, after a sentence saying what it
lost, with the status 3 when written: a script sees that its input was incomplete.
"""

from __future__ import annotations

import sys
from enum import StrEnum

from tcptui.capture.export import SaveError
from tcptui.capture.message_export import export_json_lines, export_message_files
from tcptui.capture.store import Capture
from tcptui.codec.framing import Grouping
from tcptui.codec.words import counted

CUT_SHORT_STATUS = 3
"""The exit status of an export written from a session file that is cut short."""


class CliExportFormat(StrEnum):
    JSON_LINES = "jsonl"
    """One JSON object per message and per connection event."""
    FILES = "files"
    """A folder with a file per message."""


def run_export(
    capture: Capture,
    path: str,
    fmt: CliExportFormat,
    grouping: Grouping,
    cut_short_note: str | None = None,
) -> int:
    """Write the export and say how it went on stderr; the process's exit status.
    `cut_short_note` says what the session file lost, when it is cut short."""
    if cut_short_note is not None:
        print(f"tcptui: {cut_short_note}", file=sys.stderr)
    try:
        if fmt is CliExportFormat.FILES:
            files, nbytes = export_message_files(capture, path, grouping)
            done = f"{counted(files, 'message')} ({counted(nbytes, 'byte')}), a file each, in"
        else:
            size = export_json_lines(capture, path, grouping)
            done = f"{counted(size, 'byte')} of JSON lines to"
    except SaveError as exc:
        print(f"tcptui: {exc}", file=sys.stderr)
        return 1
    print(f"tcptui: wrote {done} {ascii(path)[1:-1]} (grouping {grouping}).", file=sys.stderr)
    return 0 if cut_short_note is None else CUT_SHORT_STATUS
