"""Templates shipped with migrate-gate: the GitLab component and the Jinja templates."""
