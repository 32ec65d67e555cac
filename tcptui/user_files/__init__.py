"""The user's files: settings, history, snippets, app state, automation files and their folders.

Plain Python below the UI: each module reads a hand-written or saved file as hostile input and
reports a mistake as one sentence, so a bad file is refused before Textual loads.
"""
