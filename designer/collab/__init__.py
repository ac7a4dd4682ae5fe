"""Live co-editing of a pipeline's draft over a WebSocket: presence, selections and ordered edit ops."""
