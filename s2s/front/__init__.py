"""Reading the user's function: source, fence, AST lowering, SSA construction, alias and result checks."""
