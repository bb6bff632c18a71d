"""A function that names a resource it never declares."""
