"""Framework-free building blocks (stdlib + jdatetime only; no Django imports)."""
