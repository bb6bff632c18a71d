"""An App for the local runner's delivery tests: handlers that fail, crash or take their time on purpose."""
