"""Two created-handlers whose S3 filters overlap."""
