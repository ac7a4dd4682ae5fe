"""Export a pipeline version or a run as code: a zip of a standalone script, a notebook and their data.

Thin: the engine writes the code (``designer.engine.codegen``); this app finds what a version or a run
read (dataset versions, artifacts), checks who asks, and serves the zip. It writes nothing.
"""
