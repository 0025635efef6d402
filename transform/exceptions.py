"""What can go wrong while turning the portal's answers into tidy tables."""

from chiso766.errors import Chiso766Error


class TransformError(Chiso766Error):
    """The portal's answer does not have the shape or content the parser relies on."""

    exit_code = 5
