"""Social messengers in the same chat flow as the portal chat: bot first, then an operator.

An adapter turns the messenger's webhook payload into an `IncomingMessage` and owns one
client object with `send_message(chat_id, text)`; everything else (linking a chat to the
citizen's account, the conversation, replies going out) is shared in
`chat.messengers.services`. Telegram is the first adapter; another messenger adds a module
like `telegram.py`, an entry in `ADAPTERS` and a webhook door."""

from chat.messengers import telegram
from chat.models import Messenger

# messenger -> adapter module (get_client(), parse_update(), is_configured())
ADAPTERS = {Messenger.TELEGRAM: telegram}
