"""A pipeline as code that runs without the server: one commented section per node, plain pandas /
scikit-learn / LightGBM where a readable equivalent exists, the module library otherwise. No Django."""
