"""One module per event service. Each client exposes the capabilities the service really has."""
