"""A small App with every trigger kind, for the deploy tests."""
