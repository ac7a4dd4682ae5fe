"""The profile file: mode 0600 in a 0700 directory, profiles kept apart, the environment overriding it."""

from __future__ import annotations

import stat

from tessera_client import config


def test_saving_a_profile_writes_a_file_only_its_owner_can_read(tmp_path):
    # given no config file yet
    env = {"TESSERA_CONFIG": str(tmp_path / "conf" / "tessera.toml")}

    # when a profile with a token is saved
    path = config.save(config.Profile(url="http://h:8000", token="secret-token", username="ada", workspace=3), env)

    # then the file and its directory are private, and the profile reads back
    assert path == tmp_path / "conf" / "tessera.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = config.load(env=env)
    assert (loaded.url, loaded.token, loaded.username, loaded.workspace) == ("http://h:8000", "secret-token", "ada", 3)
    assert sorted(p.name for p in path.parent.iterdir()) == ["tessera.toml"]  # no temporary file left behind


def test_a_readable_file_becomes_private_when_rewritten(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('default_profile = "default"\n')
    path.chmod(0o644)

    config.save(config.Profile(url="http://h", token="t"), {"TESSERA_CONFIG": str(path)})

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_profiles_are_kept_apart_and_the_first_saved_is_the_default(tmp_path):
    env = {"TESSERA_CONFIG": str(tmp_path / "c.toml")}
    config.save(config.Profile(name="prod", url="http://prod", token="p"), env)
    config.save(config.Profile(name="dev", url="http://dev", token="d"), env)

    assert config.load(env=env).url == "http://prod"
    assert config.load("dev", env=env).url == "http://dev"
    assert config.load(env=env | {"TESSERA_PROFILE": "dev"}).token == "d"


def test_the_environment_overrides_the_file(tmp_path):
    env = {"TESSERA_CONFIG": str(tmp_path / "c.toml")}
    config.save(config.Profile(url="http://file", token="file-token", workspace=1), env)

    loaded = config.load(
        env=env | {"TESSERA_URL": "http://env", "TESSERA_TOKEN": "env-token", "TESSERA_WORKSPACE": "Lab"}
    )

    assert (loaded.url, loaded.token, loaded.workspace) == ("http://env", "env-token", "Lab")
    assert loaded.sources["token"] == "TESSERA_TOKEN"


def test_the_default_path_follows_xdg_and_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))

    assert config.config_path({}) == tmp_path / ".config" / "tessera" / "config.toml"
    assert config.config_path({"XDG_CONFIG_HOME": "/x"}).as_posix() == "/x/tessera/config.toml"
