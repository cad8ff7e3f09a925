"""``ndflow.linalg``: matrix products, decompositions, solvers and norms."""
