"""Text Analytics modules: turn free text into tokens and numeric features; no model or data is downloaded."""
