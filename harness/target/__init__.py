"""The stack under test as the harness reaches it: its HTTP API, group setup and teardown,
and cleanup of the test data a run created."""
