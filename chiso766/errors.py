"""The root of every error a user can cause or meet; the CLI turns each into one sentence."""


class Chiso766Error(Exception):
    """An error whose message is a plain sentence for the user, with the exit code to end on."""

    exit_code = 1


class InputError(Chiso766Error):
    """Something the user typed is wrong: a province, a period, a path, a format."""

    exit_code = 2
