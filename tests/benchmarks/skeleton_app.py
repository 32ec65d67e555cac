"""A second startup reference: tcptui's first screen rebuilt from stock Textual widgets alone.

The same tree of about 70 widgets as `tcptui --demo` shows (header, tabs, connection form and
steps, two log views, composer, a footer of 11 keys) with a similar layout, and none of
tcptui's code: no socket, no capture, no demo server. It tells how much of the start is
Textual's price for a screen of this shape, and how much is tcptui's own.
"""

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    ProgressBar,
    Select,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

BANNER = "tcptui demo server\\n\ntype help for the commands; anything else is echoed back\\n"
STEPS = ("socket", "resolve", "handshake", "data", "closed")

CSS = """
#panel { width: 46; border: round $primary; padding: 0 1; }
#target-row, #target-row-2 { height: auto; }
#panel Input { border: none; height: 1; padding: 0 1; margin: 0 1 0 0; }
#family { width: 28; }
#steps { height: auto; margin: 1 0; }
#views { width: 1fr; layout: horizontal; }
#views Static { width: 1fr; height: 1fr; border: round $primary; }
#target-row Input { width: 1fr; }
#composer { height: auto; border: round $primary; }
#composer-row { height: 1; }
#composer Input { border: none; height: 1; padding: 0; width: 1fr; }
#composer-row Static { width: auto; margin: 0 0 0 2; }
#multiline, #upload, #search { display: none; }
"""


class SkeletonApp(App[None]):
    TITLE = "skeleton"
    CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(key, f"notify({label!r})", label)
            for key, label in (
                ("ctrl+d", "Send EOF"),
                ("f2", "Connect"),
                ("f3", "Disconnect"),
                ("f4", "Line ending"),
                ("f5", "View"),
                ("f6", "Copy as…"),
                ("ctrl+s", "Save/Export"),
                ("ctrl+n", "New tab"),
                ("f1", "Help"),
            )
        ),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(), TabPane("● 127.0.0.1:7", id="tab-1"):
            with Horizontal():
                with Vertical(id="panel"):
                    with Horizontal(id="target-row"):
                        yield Input("127.0.0.1")
                        yield Input("7")
                    with Horizontal(id="target-row-2"):
                        yield Select([("auto (IPv4/IPv6)", 0)], value=0, id="family")
                        yield Button("Disconnect", variant="primary")
                    yield Static(id="form-error")
                    with Vertical(id="steps"):
                        for step in STEPS:
                            yield Static(f"● {step}")
                    yield Static(id="certificate")
                    for info in ("closed", "retry", "in 76 B in 1 chunk"):
                        yield Static(info)
                    yield Sparkline([0, 0, 76])
                with Container(id="views"):
                    yield Static(BANNER)
                    yield Static(BANNER.encode().hex(" "))
                yield Static(id="search")
            with Vertical(id="composer"):
                with Horizontal(id="composer-row"):
                    yield Input(placeholder="type a message and press Enter to send")
                    yield TextArea(id="multiline")
                    yield Static("text · utf-8")
                    yield Static("LF")
                yield Static("1 byte on Enter: 0a")
                with Horizontal(id="upload"):
                    yield Static("upload")
                    yield ProgressBar()
        yield Footer()


if __name__ == "__main__":
    SkeletonApp().run()
