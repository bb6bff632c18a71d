"""Handlers that show the conformance suite exactly what each target hands a function."""
