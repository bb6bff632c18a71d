"""A test app with a secret, app-wide and per-function settings: what the stack tests of secrets, settings and
custom domains deploy."""

from portable import app_env

app_env({"GREETING": "Hello", "LOG_LEVEL": "info"})
