"""Readable code for the Text Analytics modules (Preprocess Text, Extract N-Gram Features from Text)."""

from designer.engine.codegen.node_code import Emitter

EMITTERS: dict[str, Emitter] = {}
