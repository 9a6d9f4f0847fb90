"""Small trained artefacts shipped with the package (the default kind model)."""
