"""Domain events other apps subscribe to; sent after the transaction commits."""

from django.dispatch import Signal

# sender=Message class, message=<Message>: a message was stored (any door: chat, REST, workspace, bot).
message_stored = Signal()
# sender=Ticket class, ticket=<Ticket>: status, assignment or queue changed.
ticket_changed = Signal()
