"""Handlers that read every portable field and never fail themselves: any 5xx or escape is the shim's."""
