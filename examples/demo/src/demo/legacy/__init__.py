"""Old code kept for compatibility; barely tested."""
