"""A topic's tab: the live table and its model, the session that tails, the Publish panel and replay."""
