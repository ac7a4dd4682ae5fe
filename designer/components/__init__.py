"""Components: workspace assets with immutable versions (sub-pipelines, script modules); the engine expands them."""
