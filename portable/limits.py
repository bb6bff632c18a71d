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

# Names the clouds refuse at deploy time, refused when declared. Cloud Storage bucket names may not start with
# "goog" nor contain "google" or a close misspelling; Pub/Sub topic and subscription names (a queue's and a topic's,
# each starting with the declared name) may not start with "goog"; S3 bucket names may not start with "xn--",
# "sthree-" or "amzn-s3-demo-".
RESERVED_NAME_PREFIXES = {
    "bucket": ("goog", "xn--", "sthree-", "amzn-s3-demo-"),
    "queue": ("goog",),
    "topic": ("goog",),
}
RESERVED_BUCKET_NAME_PARTS = ("google", "g00gle", "go0gle", "g0ogle")
# SQS queue names, 80 characters. A resource's cloud name is its Pulumi name plus Pulumi's 8-character suffix, so a
# topic subscriber's dead-letter queue, `<topic>-<function>-dead-letters` plus the suffix, keeps topic and function
# names to 58 characters together.
SQS_QUEUE_NAME_MAX_CHARS = 80
AUTO_NAME_SUFFIX_CHARS = 8
TOPIC_SUBSCRIBER_NAMES_MAX_CHARS = SQS_QUEUE_NAME_MAX_CHARS - AUTO_NAME_SUFFIX_CHARS - len("--dead-letters")
# Lambda keeps at most 4 KB of environment variables per function, names and values together, Portable's own
# included (the function, its module, the physical name of each resource it uses, the CORS policy).
FUNCTION_ENVIRONMENT_MAX_BYTES = 4096
# IAM: a role's inline policies take at most 10,240 characters (whitespace not counted); each bucket, table, queue,
# topic and secret a function uses adds statements to its one policy.
ROLE_POLICY_MAX_CHARS = 10_240
# GCP API Gateway: an API config id is at most 63 characters, and the provider appends 26 to the prefix it is given.
API_CONFIG_ID_MAX_CHARS = 63
API_CONFIG_ID_SUFFIX_CHARS = 26
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
