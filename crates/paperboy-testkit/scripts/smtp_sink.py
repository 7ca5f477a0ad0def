"""An SMTP server for tests: accepts every message on 127.0.0.1:PORT and writes it,
as received, into OUT_DIR (one .eml file each, with an X-Envelope-To header in
front). Recipients containing REJECT (when given) are refused with 550, as a mail
server refuses an unknown user.

usage: smtp_sink.py PORT OUT_DIR [REJECT]
"""

import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out_dir, reject):
        self.out_dir = out_dir
        self.reject = reject

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}.eml"
        temporary = os.path.join(self.out_dir, "." + name)
        content = envelope.original_content or envelope.content
        with open(temporary, "wb") as f:
            f.write(b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(content)
        os.rename(temporary, os.path.join(self.out_dir, name))
        return "250 Message accepted for delivery"


def main():
    port, out_dir = int(sys.argv[1]), sys.argv[2]
    reject = sys.argv[3] if len(sys.argv) > 3 else ""
    os.makedirs(out_dir, exist_ok=True)
    controller = Controller(Sink(out_dir, reject), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
