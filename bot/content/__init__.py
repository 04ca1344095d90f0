"""Knowledge files (YAML) and their loaders with schema checks."""
