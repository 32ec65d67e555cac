"""Allow `python -m tcptui`."""

from tcptui.cli import main

raise SystemExit(main())
