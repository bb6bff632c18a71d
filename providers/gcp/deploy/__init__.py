"""The GCP half of `pulumi up`: its settings, its archives and its resources (`deployer.DEPLOYER`).

Deploy code: it imports Pulumi and is never packaged into a function's archive.
"""
