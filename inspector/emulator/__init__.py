"""A local server that speaks the Workato Event Streams API (and the Developer API topic endpoints)."""
