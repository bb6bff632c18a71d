"""A retry policy Lambda cannot run: refused when the App loads, on every stack."""
