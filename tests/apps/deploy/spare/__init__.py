"""A secret declared that no function reads: the deploy warns, as `portable dev` does at start."""
