"""The domain: the indicator framework, targets, goal tables, project kinds and sectors, the indicator
library and approved tables as history. Pure data and rules read from data/; no models."""
