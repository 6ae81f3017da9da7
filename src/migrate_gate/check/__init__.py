"""`migrate-gate check`: is the migration history sound before anything runs?"""
