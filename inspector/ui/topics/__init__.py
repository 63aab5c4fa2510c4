"""A Workato workspace's topics in the window: New topic…, Edit topic… (the schema editor, a schema change tested
first), Purge… and Delete…. ``actions`` is loaded with the window and holds only the actions; the rest (``admin``
and the dialogs) loads when one is first used (``inspector.ui.later``)."""
