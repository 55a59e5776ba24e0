"""The fitted engine: its learned components (estimators), fitting, saving and loading, the manifest,
versions and retraining on approved tables."""
