"""Estimators of our own, in scikit-learn's shape, that trained models may hold.

Kept outside ``modules.library`` so that reading the catalogue does not import them (and the heavy
libraries they build on); skops loads them by name, and ``modules.sdk.ports`` trusts this package.
"""
