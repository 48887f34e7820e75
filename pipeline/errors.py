"""The one exception type for a user's mistake: the CLI prints it as one line and exits 2."""


class UserError(Exception):
    """Bad input from the operator (a missing file, a wrong option...).

    The message is one line that says what is wrong and what to do; the CLI prints it
    without a traceback and exits with status 2.
    """

    exit_status = 2
