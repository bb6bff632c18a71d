"""User handlers. Every module here is loaded into the App; each shows one pattern."""
