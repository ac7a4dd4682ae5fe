"""``tessera``: the command's root, its global options, and the one place errors become exit codes.

Every failure the client expects (``TesseraError``) is printed as one line, ``error: <cause>``, and exits
with its code (``errors.ExitCode``); anything else is one line too, and ``--debug`` (or
``TESSERA_DEBUG=1``) adds the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from tessera_client.errors import ExitCode, TesseraError

from . import auth, components, datasets, endpoints, models, pipelines, published, runs, schedules, workspaces
from .context import State
from .output import err

HELP = (
    "Tessera from the command line: datasets, pipelines as files, runs, endpoints.\n\n"
    "Credentials come from the profile file (`tessera login`; $TESSERA_CONFIG or ~/.config/tessera/config.toml, "
    "mode 0600) or from TESSERA_URL, TESSERA_TOKEN and TESSERA_WORKSPACE.\n\n"
    "Exit codes: 0 ok, 1 refused or failed, 2 usage, 3 authentication or permission, 4 not found, "
    "5 validation problems, 6 network, 7 conflict (a newer version was saved), 8 the run failed or was "
    "cancelled, 130 interrupted."
)

app = typer.Typer(
    name="tessera",
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("login")(auth.login)
app.command("logout")(auth.logout)
app.command("whoami")(auth.whoami)
app.add_typer(workspaces.app, name="workspace")
app.add_typer(datasets.app, name="dataset")
app.add_typer(pipelines.app, name="pipeline")
app.add_typer(components.app, name="component")
app.add_typer(runs.app, name="run")
app.add_typer(endpoints.app, name="endpoint")
app.add_typer(models.app, name="model")
app.add_typer(published.app, name="published")
app.add_typer(schedules.app, name="schedule")


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", envvar="TESSERA_PROFILE", help="Profile in the config file.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
) -> None:
    ctx.obj = State(profile, debug)


def main() -> None:
    debug = "--debug" in sys.argv[1:] or os.environ.get("TESSERA_DEBUG", "") not in ("", "0")
    try:
        code = app(standalone_mode=False)  # Typer returns the code of typer.Exit (130 for Ctrl-C)
    except TesseraError as exc:
        _fail(exc, debug)
        code = exc.exit_code
    except typer.TyperException as exc:  # usage errors: Typer's own messages, exit 2
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err.print(f"error: {exc.format_message()}", markup=False)
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err.print("error: interrupted")
        code = ExitCode.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one place every other failure becomes a line
        if debug:
            traceback.print_exc()
        cause = str(exc).splitlines()[0] if str(exc) else ""
        err.print(f"error: unexpected {type(exc).__name__}: {cause} (run with --debug for the traceback)", markup=False)
        code = ExitCode.ERROR
    sys.exit(code if isinstance(code, int) else 0)


def _fail(exc: TesseraError, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    lines = str(exc).splitlines() or [type(exc).__name__]
    err.print(f"error: {lines[0]}", markup=False)


if __name__ == "__main__":
    main()
