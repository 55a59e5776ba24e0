"""The programmatic facade (Service) and the HTTP app built on it."""
