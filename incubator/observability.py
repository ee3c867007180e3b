"""Logging set-up: request ids and optional JSON log lines (issue 18). Filled in
by the production work."""
