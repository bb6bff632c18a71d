"""The `portable` command (also `python -m portable`): new, dev, invoke, preview, data.

Developer tooling: never imported by a shim, never archived.
"""
