"""Every channel lands in one queue: e-mail in and out, logged phone calls and letters.

Each channel turns its contact into an appeal through tickets.services and keeps only what
the appeal itself does not carry (e-mail threading ids, the caller's identity check, the
letter's postal details) in tickets.channels.models."""
