"""`migrate-gate plan`: what a deploy will do to the database, migration by migration."""
