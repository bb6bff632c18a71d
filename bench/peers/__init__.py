"""The greet endpoint written for each peer framework; each module's `handler` is its Lambda entry point."""
