"""The app's handlers: every module here is loaded, and each decorated function becomes one cloud function."""
