"""Deploy time, shared by the clouds: the Pulumi program, its plan, the archives.

Nothing under a `deploy` package is ever packaged into a function's archive: it imports Pulumi.
"""
