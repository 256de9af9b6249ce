"""The Slack and Teams bots: thin adapters over the use cases, mounted on the HTTP app.

:mod:`api.bots.conversation` is the platform-neutral core (who is asking, what they ask, the
draft job, progress and result through a :class:`~api.bots.conversation.Replier`); each
platform module only translates its events into an
:class:`~api.bots.conversation.Incoming` and implements the ``Replier`` (docs/bots.md).
"""
