"""Scoring bundles: an endpoint's inference pipeline with its artifacts and a small server, to run elsewhere.

``build.build_bundle`` writes the archive; ``runner`` is the WSGI app inside it. Plain Python, no Django.
"""
