"""Finding indicators for a project: tokenising, sentence encoders, the hybrid index, ranking features,
suggestion and library search."""
