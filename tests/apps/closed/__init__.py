"""An App without a CORS policy whose guarded routes take OPTIONS, for the auth-on-every-method conformance tests."""
