"""`migrate-gate lint`: find lock-unsafe and destructive SQL in migrations before they ship."""
