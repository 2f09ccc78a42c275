# tests/client: our SPICE test client (library + tools) and its tests.
