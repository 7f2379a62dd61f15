"""A small IMAP4rev1 server on a real socket: enough of the protocol (CAPABILITY, LOGIN,
SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE +FLAGS, LOGOUT) for imaplib
to talk to it exactly as it talks to a mail server. Used by the tests and bench/mail_ingest.py."""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mailbox:
    user: str = "support"
    password: str = "secret"
    messages: dict[int, bytes] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, *, seen: bool = False) -> int:
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = raw
        if seen:
            self.seen.add(uid)
        return uid


class _Handler(socketserver.StreamRequestHandler):
    disable_nagle_algorithm = True  # each reply in several writes must not wait for delayed ACKs

    def handle(self):
        self.mailbox: Mailbox = self.server.mailbox
        self.authenticated = False
        self._send(b"* OK IMAP4rev1 test double ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            self.mailbox.commands.append(
                command.upper() + (" " + args.split(" ")[0].upper() if command.upper() == "UID" else "")
            )
            if not self._dispatch(tag, command.upper(), args):
                return

    def _send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")

    def _dispatch(self, tag: str, command: str, args: str) -> bool:
        if command == "CAPABILITY":
            self._send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN")
        elif command == "LOGIN":
            user, password = [part.strip('"') for part in args.split(" ", 1)]
            if (user, password) != (self.mailbox.user, self.mailbox.password):
                self._send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials".encode())
                return True
            self.authenticated = True
        elif command == "SELECT" and self.authenticated:
            self._send(f"* {len(self.mailbox.messages)} EXISTS".encode())
            self._send(b"* FLAGS (\\Seen)")
            self._send(f"{tag} OK [READ-WRITE] SELECT completed".encode())
            return True
        elif command == "UID" and self.authenticated:
            self._uid(args)
        elif command == "LOGOUT":
            self._send(b"* BYE logging out")
            self._send(f"{tag} OK LOGOUT completed".encode())
            return False
        else:
            self._send(f"{tag} BAD unknown or unauthenticated command".encode())
            return True
        self._send(f"{tag} OK {command} completed".encode())
        return True

    def _uid(self, args: str) -> None:
        sub, _, rest = args.partition(" ")
        sub = sub.upper()
        if sub == "SEARCH":
            unseen = [str(uid) for uid in sorted(self.mailbox.messages) if uid not in self.mailbox.seen]
            self._send(("* SEARCH " + " ".join(unseen)).rstrip().encode())
        elif sub == "FETCH":
            uid = int(rest.split(" ")[0])
            raw = self.mailbox.messages.get(uid)
            if raw is not None:
                self.wfile.write(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
        elif sub == "STORE":
            uid = int(rest.split(" ")[0])
            if re.search(r"\+FLAGS.*\\Seen", rest, re.IGNORECASE):
                self.mailbox.seen.add(uid)
            self._send(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))".encode())


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ImapTestServer:
    """`with ImapTestServer(mailbox) as url:` serves the mailbox at imap://user:pass@127.0.0.1:port/INBOX."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.mailbox = mailbox

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address
        return f"imap://{self.mailbox.user}:{self.mailbox.password}@{host}:{port}/INBOX"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
