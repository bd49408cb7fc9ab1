"""Why a registration change was refused. The message is for a person; the type is for the
view, which picks its answer from it (a message beside the person's registration, the
waitlist form, an error on the form) instead of asking the database again."""


class RegistrationError(Exception):
    """A registration change that cannot be made, with a reason a person can read."""


class AlreadyRegistered(RegistrationError):
    """The person already holds a registration (or place) that makes the request moot: the
    page shows that registration rather than the form, so the refusal goes beside it."""


class SoldOut(RegistrationError):  # noqa: N818 - reads as what it is: "sold out"
    """No seat for a newcomer: the answer is the waitlist, which needs the person's reasons."""


class NotOpen(RegistrationError):
    """Registration for the kind has not opened yet."""


class Closed(RegistrationError):
    """Registration for the kind is closed."""


class InPersonIncludesVirtual(RegistrationError):
    """A virtual place asked for by someone whose in-person place already includes it."""


class NotActive(RegistrationError):
    """The registration was already cancelled, declined or expired."""


class NotYours(RegistrationError):
    """Someone acting on another person's offer."""


class NoOpenOffer(RegistrationError):
    """There is no offer (any more) to accept or decline."""


class OfferExpired(NoOpenOffer):
    """The offer lapsed; its seat went to the next person."""


class NobodyWaiting(RegistrationError):
    """Nothing to offer: the waitlist is empty."""


class NoFreeSeat(RegistrationError):
    """Every seat is in use (confirmed, offered or held by a pass)."""


class CapacityTooLow(RegistrationError):
    """A capacity below the seats already in use."""


class PassInvalid(RegistrationError):
    """A pass code that is unknown, used, revoked or otherwise cannot do what was asked."""


class PassLimitReached(RegistrationError):
    """More passes than the issuer may give out."""
