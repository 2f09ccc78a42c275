# tests/server: tests of server/ (unit, real-client, ABI).
