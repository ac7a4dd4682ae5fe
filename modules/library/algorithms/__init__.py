"""Learner modules: each outputs an untrained model (an unfitted estimator), never fits it."""
