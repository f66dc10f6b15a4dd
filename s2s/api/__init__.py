"""The public transformations (`grad`, `vjp`, `jvp`, `jacobian`, `hessian`, ...), their cache and their
argument handling."""
