"""The message archive in the window: its actions and first-time banner (``actions`` and ``base``, loaded with the
window), the Search tab (``search``, ``form``, ``results``, ``running``), Import, the Archive settings, Forget and
prune (``manage``, ``dialogs``), and what they share (``shared``). Everything but ``actions`` and ``base`` loads
when first used, through the window's start-up table (``inspector.ui.later``): the archive's SQLite must not load
before the window is shown."""
