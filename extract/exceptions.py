"""What can go wrong while talking to the portal, in the words a user needs."""

from chiso766.errors import Chiso766Error


class PortalError(Chiso766Error):
    """The portal could not give a usable answer."""

    exit_code = 3


class PortalUnreachable(PortalError):
    """No answer came after every retry: the network, DNS, a timeout or the portal's own errors."""

    exit_code = 3


class PortalBlocked(PortalError):
    """The portal's firewall refused us (401, 403, 429 or an HTML page): stop, do not retry."""

    exit_code = 4

    def __init__(self, message: str, *, status: int, title: str = "", support_id: str = ""):
        super().__init__(message)
        self.status = status
        self.title = title
        self.support_id = support_id


class PortalAnswerError(PortalError):
    """The portal answered, but not with the JSON envelope the protocol promises."""

    exit_code = 5
