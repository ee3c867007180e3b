"""The demo's community service centres: rooms, a year of bookings and their
use, and the residents who signed in, so that 禾山社区's project year reaches the
seed's figures (the space used for 386 services, 8,338 people served) and
西岭社区's its own.

The package: ``data`` (rooms, outside units, the figures), ``slots`` (the
rooms' calendar while planning), ``plan`` (a community's year of uses),
``people`` (residents and sign-ins) and ``seed`` (putting them together and
inserting the rows in bulk)."""

from incubator.demo.centre.seed import seed_centre

__all__ = ["seed_centre"]
