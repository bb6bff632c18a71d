"""An App with a CORS policy and a JWT-guarded route, for the CORS and auth conformance tests."""
