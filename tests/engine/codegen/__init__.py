"""Code export: the readable emitters against the module library."""
