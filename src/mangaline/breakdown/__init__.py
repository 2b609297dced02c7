"""breakdown."""
