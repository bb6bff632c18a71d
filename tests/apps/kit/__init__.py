"""A small App for the test kit's own tests: notes written over HTTP, copied by an object chain, audited."""
