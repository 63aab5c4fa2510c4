"""The Qt layer: windows, widgets, table models and the qasync bootstrap. Only this layer imports PySide6."""
