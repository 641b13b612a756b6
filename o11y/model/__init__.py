"""The typed stack model: validated once at the boundary, read by every generator."""
