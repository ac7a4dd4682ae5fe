"""Tessera: the engine (designer.engine, no Django) and the thin Django apps around it."""

from modules.library.python_language._secrets import keep_secrets_from_children

# Every Tessera process (web, scoring server, worker, manage.py) closes its environment and memory to
# other processes of its OS user: a sandboxed script on a host without user namespaces runs as that user.
keep_secrets_from_children()
