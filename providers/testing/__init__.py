"""The test kit behind `portable.testing`: the App's functions through each cloud's real shim, on local data.

Developer tooling: never imported by a shim, never archived.
"""
