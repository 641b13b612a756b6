"""The pure core: typed stack model, generators for every artifact, and the command line.

Nothing here imports Pulumi; the Pulumi program (`__main__.py`, `components/`, `stacks/`)
turns what this package produces into resources.
"""
