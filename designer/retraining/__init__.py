"""Retrain and promote: a scoring endpoint's retraining policy (which published pipeline retrains it, the
deciding metric, a drift alarm, automatic promotion), the challengers its runs produce, and their
promotion. Builds on endpoints, published, registry and runs; none of those may import it."""
