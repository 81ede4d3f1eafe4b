"""Graph-compatible REST API for tenantadmin."""
