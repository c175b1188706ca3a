"""HTTP plumbing: app assembly, routes, error mapping, middleware and startup checks."""
