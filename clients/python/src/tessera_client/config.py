"""Where the server is and who you are: a profile file (mode 0600) and environment variables.

The file is ``$TESSERA_CONFIG``, else ``$XDG_CONFIG_HOME/tessera/config.toml``, else
``~/.config/tessera/config.toml``::

    default_profile = "default"

    [profiles.default]
    url = "http://localhost:8000"
    token = "9f1c..."
    username = "ada"
    workspace = 3

``TESSERA_URL``, ``TESSERA_TOKEN`` and ``TESSERA_WORKSPACE`` override the profile's values;
``TESSERA_PROFILE`` picks another profile. A token is never taken from the command line. The file is
written with mode 0600 in a directory of mode 0700, and rewritten whole (a temporary file, then a
rename), so a crash never leaves half a token on disk.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from .errors import ConfigError

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str = DEFAULT_PROFILE
    url: str | None = None
    token: str | None = None
    username: str | None = None
    workspace: int | str | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)  # value -> where it came from

    def with_env(self, env: dict[str, str] | os._Environ[str]) -> Profile:
        changes: dict[str, Any] = {}
        sources = dict(self.sources)
        for key, var in (("url", "TESSERA_URL"), ("token", "TESSERA_TOKEN"), ("workspace", "TESSERA_WORKSPACE")):
            value = env.get(var)
            if value:
                changes[key] = _workspace_value(value) if key == "workspace" else value
                sources[key] = var
        return replace(self, **changes, sources=sources)


def config_path(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("TESSERA_CONFIG"):
        return Path(env["TESSERA_CONFIG"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "tessera" / "config.toml"


def read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The profile file {path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise ConfigError(f"The profile file {path} cannot be read: {exc.strerror}.") from None


def load(profile: str | None = None, env: dict[str, str] | os._Environ[str] | None = None) -> Profile:
    """The profile named ``profile`` (else ``$TESSERA_PROFILE``, else the file's default), with the
    environment's overrides applied."""
    env = os.environ if env is None else env
    path = config_path(env)
    content = read_file(path)
    name = profile or env.get("TESSERA_PROFILE") or content.get("default_profile") or DEFAULT_PROFILE
    section = (content.get("profiles") or {}).get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"The profile file {path}: [profiles.{name}] must be a table.")
    sources = {k: f"{path} [profiles.{name}]" for k in ("url", "token", "workspace", "username") if k in section}
    found = Profile(
        name=name,
        url=section.get("url"),
        token=section.get("token"),
        username=section.get("username"),
        workspace=section.get("workspace"),
        sources=sources,
    )
    return found.with_env(env)


def save(profile: Profile, env: dict[str, str] | os._Environ[str] | None = None, *, make_default: bool = False) -> Path:
    """Write ``profile`` into the file (other profiles kept), mode 0600; the file's path."""
    path = config_path(os.environ if env is None else env)
    content = read_file(path)
    profiles = dict(content.get("profiles") or {})
    section = {k: v for k, v in (("url", profile.url), ("token", profile.token), ("username", profile.username),
                                 ("workspace", profile.workspace)) if v is not None}  # fmt: skip
    profiles[profile.name] = section
    content["profiles"] = profiles
    if make_default or "default_profile" not in content:
        content["default_profile"] = profile.name
    write_private(path, tomli_w.dumps(content))
    return path


def write_private(path: Path, text: str) -> None:
    """``text`` into ``path``, readable and writable by the owner only, replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IWUSR)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _workspace_value(value: str) -> int | str:
    return int(value) if value.isdigit() else value
