"""UI tests show times of day: pin the time zone so what they render is the same everywhere."""

from __future__ import annotations

import os
import time

os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()
