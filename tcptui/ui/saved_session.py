"""What the connection panel shows for a session opened with --open: the facts the file holds.

A saved session is not a connection: there is nothing to connect, send or close. The panel
shows the steps as they were (target, addresses, the address that answered, when data moved,
why it ended) and the TLS facts, read from the file's metadata and its chunks' times, and
told more exactly by its connection events where it kept them (see connection_story).
Everything in the file is hostile: each value is checked for its type and made inert.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text

from tcptui.capture.events import EventKind
from tcptui.capture.session_file import SessionMeta
from tcptui.capture.store import Capture
from tcptui.codec.safe_text import safe_label
from tcptui.codec.words import counted
from tcptui.net.events import Step
from tcptui.ui.connection_story import NO_STORY, ConnectionStory, StepShown


def saved_steps(
    meta: SessionMeta, capture: Capture, story: ConnectionStory = NO_STORY
) -> dict[Step, StepShown]:
    """Each step as the file tells it, its events over its metadata; what it does not know
    is said, not guessed."""
    unknown = ("pending", "not recorded in the file")
    steps: dict[Step, StepShown] = dict.fromkeys(Step, unknown)
    if meta.resolved:
        shown = ", ".join(safe_label(address) for address in meta.resolved[:3])
        more = " …" if len(meta.resolved) > 3 else ""
        steps[Step.RESOLVE] = (
            "ended",
            f"{counted(len(meta.resolved), 'address', 'addresses')}: {shown}{more}",
        )
    if meta.remote:
        local = f" from {safe_label(meta.local)}" if meta.local else ""
        started = _time_of_day(meta.started_at)
        at = f" at {started}" if started else ""
        steps[Step.SOCKET] = ("ended", "SOCK_STREAM")
        steps[Step.HANDSHAKE] = ("ended", f"{safe_label(meta.remote)}{local}{at}")
    chunks = len(capture)
    cut_short = any(event.kind is EventKind.CUT_SHORT for event in capture.events.events())
    if chunks:
        first, last = capture.chunk(0), capture.chunk(chunks - 1)
        span = f"{_clock(first.wall_ns)}–{_clock(last.wall_ns)} UTC"
        lost = " · file cut short" if cut_short else ""
        steps[Step.DATA] = (
            "failed" if cut_short else "ended",
            f"{counted(chunks, 'chunk')}, {span}{lost}",
        )
    elif cut_short:
        steps[Step.DATA] = ("failed", "none: the file is cut short")
    if meta.end_reason:
        state = "failed" if meta.ended_by_reset else "ended"
        steps[Step.CLOSED] = (state, safe_label(meta.end_reason))
    steps.update(story.steps)
    if story.data_notes:
        data = [steps[Step.DATA][1]] if chunks else []
        steps[Step.DATA] = ("ended", " · ".join(data + list(story.data_notes)))
    return steps


def saved_tls(tls: dict[str, Any], story: ConnectionStory = NO_STORY) -> Text | None:
    """The TLS facts the file holds (see SessionFacts): its `TLS started` event's lines
    (version and cipher, ALPN, handshake time) or else the metadata's, then the metadata's
    verdict and certificate; None when it holds none."""
    version, cipher = _text(tls, "version"), _text(tls, "cipher")
    if story.tls:
        text = Text("\n".join(story.tls))
    elif version or cipher:
        text = Text(f"{version or 'TLS'} · {cipher or 'cipher not recorded'}")
        if alpn := _text(tls, "alpn"):
            text.append(f"\nALPN {alpn}")
    else:
        return None
    verified = tls.get("verified")
    if verified is True:
        text.append("\nverified")
    elif verified is False:
        text.append(f"\nNOT VERIFIED: {_text(tls, 'verify_error') or 'no reason recorded'}")
    certificate = tls.get("certificate")
    if isinstance(certificate, dict):
        for label in ("subject", "issuer", "not_before", "not_after", "sha256"):
            if value := _text(certificate, label):
                text.append(f"\n  {label.replace('_', ' '):<10} {value}")
    return text


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return safe_label(value) if isinstance(value, str) else ""


def _clock(wall_ns: int) -> str:
    return datetime.fromtimestamp(wall_ns / 1e9, UTC).strftime("%H:%M:%S")


def _time_of_day(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
