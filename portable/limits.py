"""One set of limits, the strictest cloud's, enforced the same on every target, locally too.

Each value names the cloud whose limit it is; the README's limits table lists them.
"""

from __future__ import annotations

# Lambda refuses a synchronous request over 6 MB (API Gateway on GCP allows 32 MiB).
REQUEST_BODY_MAX_BYTES = 6 * 1024 * 1024
# API Gateway HTTP APIs: the request line and headers together, 10 KiB.
REQUEST_HEADERS_MAX_BYTES = 10 * 1024
# S3 and Cloud Storage object names.
OBJECT_KEY_MAX_BYTES = 1024
# Firestore document ids are 1500 bytes; '/' in a key is escaped, so a key keeps room for that.
TABLE_KEY_MAX_BYTES = 500
# DynamoDB items are at most 400 KB (Firestore documents 1 MiB), field names and Portable's key and
# version fields included: an item's compact JSON may take this many bytes.
TABLE_ITEM_MAX_BYTES = 400_000
# Firestore nests maps and arrays at most 20 deep (DynamoDB 32).
TABLE_ITEM_MAX_DEPTH = 20
# S3 user metadata, names and values together.
METADATA_MAX_BYTES = 2048
# Function memory: Lambda takes 128 to 10240 MB (Cloud Functions gen2 up to 32 GiB).
MEMORY_MB_MIN = 128
MEMORY_MB_MAX = 10240
# Function timeout: Cloud Functions gen2 event functions stop at 540 s (Lambda 900 s, gen2 HTTP 3600 s);
# an HTTP caller waits at most 30 s at either API gateway whatever the function's timeout.
TIMEOUT_SECONDS_MAX = 540
# Lambda keeps at most 4 KB of environment variables per function, names and values together; Portable's own
# variables (the physical names of its resources, PORTABLE_SETTINGS) take part, so settings get 3 KiB.
SETTINGS_MAX_BYTES = 3 * 1024
# Secrets Manager and Secret Manager both keep at most 64 KiB per secret value.
SECRET_VALUE_MAX_BYTES = 65536
# SQS and SNS messages, body and attributes together (Pub/Sub allows 10 MB).
MESSAGE_MAX_BYTES = 256 * 1024
# SQS carries at most 10 message attributes (Pub/Sub 100); Portable keeps two for itself (a binary body's encoding,
# the sender's trace).
MESSAGE_ATTRIBUTES_MAX = 8
# SQS and SNS attribute names, 256 characters (Pub/Sub keys 256 bytes); Pub/Sub values, 1024 bytes.
MESSAGE_ATTRIBUTE_NAME_MAX_CHARS = 256
MESSAGE_ATTRIBUTE_VALUE_MAX_BYTES = 1024
# SQS delays a message at most 15 minutes.
MESSAGE_DELAY_MAX_SECONDS = 900
# DynamoDB advises at most two processes reading from one stream shard at a time (more are throttled): a table's
# changes go to at most two functions. DynamoDB Streams and Eventarc both keep an undelivered change 24 hours.
TABLE_CHANGE_CONSUMERS_MAX = 2
TABLE_CHANGE_RETENTION_SECONDS = 24 * 3600
# Idempotency keys are remembered at most 30 days after their first success (neither cloud's TTL sets a bound: a
# bound keeps a typo of a window from keeping the store's items for years).
IDEMPOTENCY_WINDOW_MAX_SECONDS = 30 * 24 * 3600
# Metrics: a log-based metric on GCP takes at most 10 labels (CloudWatch 30 dimensions); Cloud Monitoring's metric
# ids leave 64 characters for the name after Portable's prefix; CloudWatch dimension values are 1 to 1024 characters.
METRIC_DIMENSIONS_MAX = 10
METRIC_NAME_MAX_CHARS = 64
METRIC_DIMENSION_VALUE_MAX_CHARS = 1024
