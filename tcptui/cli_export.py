"""`tcptui --open FILE --export PATH`: a saved session's messages written out, with no UI.

For scripts and pipelines (`--export /dev/stdout | jq`): the same exports by message as the
save dialog's, under the grouping `--group` (or the setting `group`) names. The outcome is one
sentence on stderr, the status 0 when written and 1 when not; nothing is half written.
"""

from __future__ import annotations

import sys
from enum import StrEnum

from tcptui.capture.export import SaveError
from tcptui.capture.message_export import export_json_lines, export_message_files
from tcptui.capture.store import Capture
from tcptui.codec.framing import Grouping
from tcptui.codec.words import counted


class CliExportFormat(StrEnum):
    JSON_LINES = "jsonl"
    """One JSON object per message and per connection event."""
    FILES = "files"
    """A folder with a file per message."""


def run_export(capture: Capture, path: str, fmt: CliExportFormat, grouping: Grouping) -> int:
    """Write the export and say how it went on stderr; the process's exit status."""
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
    return 0
