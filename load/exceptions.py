"""What can go wrong with the warehouse."""

from chiso766.errors import Chiso766Error, InputError


class WarehouseError(Chiso766Error):
    """The warehouse cannot be opened, read or written."""

    exit_code = 6


class DatabaseUrlError(InputError):
    """The database URL given is not one SQLAlchemy understands."""
