"""functions-framework entry points: one target per function, named after the function.

functions-framework --source main.py --target hello
"""

from providers.gcp.runtime import export_targets

globals().update(export_targets())
