"""A function that requires a package requirements.lock does not hold."""
