"""Topic Inspector: inspect, publish to and replay event-stream topics over HTTP."""

__version__ = "0.1.0"
APP_ID = "io.github.topicinspector.TopicInspector"  # desktop file, AppStream id and theme icon name
