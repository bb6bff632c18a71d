"""The Pulumi program: load the App from functions/ and deploy it to the stack's cloud.

pulumi up --stack aws      pulumi up --stack gcp
"""

from providers.deploy.program import main

main()
