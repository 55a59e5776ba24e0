"""The HTTP API by audience: meta and library search, drafting, review, and the pages."""
