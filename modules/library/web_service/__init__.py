"""Web Service Input and Output: where a deployed endpoint's request rows enter and its answer leaves."""
