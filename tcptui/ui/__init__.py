"""The Textual user interface: the only place that imports Textual."""
