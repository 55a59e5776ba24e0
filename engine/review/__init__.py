"""Reviewing goal tables: rule checks by dimension, model checks, scoring, the reviewer, the
previous-year check and the comparison of two versions of a table."""
