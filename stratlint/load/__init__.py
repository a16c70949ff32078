"""Reading strategy files: bytes, YAML with positions, schema validation."""
