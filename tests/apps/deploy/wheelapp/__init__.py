"""Two functions: one needs Pillow (a compiled wheel), one needs nothing."""
