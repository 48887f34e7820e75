"""The one exception type for a user's mistake: the CLI prints it as one line and exits 2."""


class UserError(Exception):
    """Bad input from the operator (a missing file, a wrong option...).

    The message is one line that says what is wrong and what to do; the CLI prints it
    without a traceback and exits with status 2.
    """

    exit_status = 2


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (or its type's name), for a one-line error."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]
