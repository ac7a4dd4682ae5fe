"""Recommenders: train on user-item-rating triples, predict ratings, recommend items, measure them.

Each trained recommender is also a rating regressor over its user and item columns, so Score
Model, Evaluate Model and web services can use it for rating prediction; item recommendation and
its evaluation live here. No module here imports torch at import time.
"""
