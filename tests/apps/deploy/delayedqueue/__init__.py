"""A queue declared with delays: deployed on AWS, refused by the GCP deploy before any resource exists."""
