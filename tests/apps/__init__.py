"""The small Apps the tests run (no tests here): `conformance` (every trigger kind, recording what it saw), `edge`
(CORS and a JWT-guarded route), `delivery` and `messages` (handlers that fail, crash or take their time on purpose),
`fuzz` (probes that never fail), `kit` (the test kit's own App), and `deploy/` (one top-level package per App the
deploy tests build; that folder is their search path)."""
