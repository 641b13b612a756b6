"""This organisation's stacks: the shared catalog (catalog.yaml) and the loader from Pulumi config."""
