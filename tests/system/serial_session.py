#!/usr/bin/env python3
"""Drive Mica's serial console in Bochs as a person at a terminal would.

Bochs's COM1 becomes a TCP server (scripts/bochs-run.sh --serial-socket);
this connects to it, writes everything it receives to the serial log (the
log other system tests read), waits for text with expect(), and types with
send(), one character at a time: Bochs's UART and the hypervisor, which
polls it, take characters slowly.

As a library (python3 standard library only):

    with BochsRun("out/serial.img", "out/serial.log") as run:
        s = run.session
        s.expect(r"^\\[dom0\\] echo: reading", timeout=120)
        s.send("hello\\r")
        s.expect(r"^\\[dom0\\] echo: hello$", timeout=30)
        status = run.wait(timeout=60)

As a program, running a script of steps, one per line ('#' starts a comment):

    expect NAME TIMEOUT REGEX   wait up to TIMEOUT s for REGEX (Python re,
                                multiline, matched on text received after the
                                previous match, CRs removed); PASS/FAIL: NAME
    send TEXT                   type TEXT: Python escapes (\\r \\x1b \\b ...) and
                                the keys <enter> <bs> <del> <esc> <up> <down>
                                <left> <right> <home> <end> <ctrl-X>
                                (X a letter or one of @ [ \\ ] ^ _: <ctrl-]> is 0x1d)
    sleep SECONDS
    end NAME TIMEOUT            Bochs must end by itself (Mica's power-off)
                                within TIMEOUT s; PASS/FAIL: NAME

    serial_session.py --image IMG --log FILE [--char-delay S] [--timeout S]
                      [--bochs-arg ARG]... SCRIPT
    serial_session.py --port PORT --log FILE SCRIPT     (a Bochs already waiting)

After a failed step the remaining named steps report FAIL as skipped, so a
script always prints the same number of result lines. Exit status 0 when
every step passed.
"""

import argparse
import codecs
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

KEYS = {
    "enter": "\r", "bs": "\x7f", "del": "\x1b[3~", "esc": "\x1b", "up": "\x1b[A",
    "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D", "home": "\x1b[H", "end": "\x1b[F",
}


class ExpectTimeout(Exception):
    pass


class SerialSession:
    """A TCP connection to Bochs's COM1, logged to log_path."""

    def __init__(self, port, log_path, host="127.0.0.1", connect_timeout=60.0,
                 char_delay=0.03, alive=None):
        self.char_delay = char_delay
        self._text = ""             # everything received, CRs removed
        self._pos = 0               # where the next expect() starts looking
        self._eof = False
        self._cond = threading.Condition()
        self._sock = self._connect(host, port, connect_timeout, alive)
        self._log = open(log_path, "ab", buffering=0)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    @staticmethod
    def _connect(host, port, timeout, alive):
        """Bochs listens only once it has started: retry until then."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return socket.create_connection((host, port), timeout=5)
            except OSError as e:
                if time.monotonic() > deadline or (alive and not alive()):
                    raise ConnectionError("no serial server on %s:%d (%s)" % (host, port, e))
                time.sleep(0.2)

    def _read_loop(self):
        self._sock.settimeout(None)
        while True:
            try:
                data = self._sock.recv(4096)
            except OSError:
                data = b""
            if data:
                self._log.write(data)
            with self._cond:
                if not data:
                    self._eof = True
                else:
                    self._text += data.decode("latin-1").replace("\r", "")
                self._cond.notify_all()
            if not data:
                return

    def expect(self, regex, timeout=30.0):
        """The match of regex in the text received since the last match."""
        pattern = re.compile(regex, re.M)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = pattern.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    tail = self._text[self._pos:][-300:]
                    raise ExpectTimeout("%s /%s/ after %.0f s; last output: %r" % (
                        "connection closed before" if self._eof else "timed out waiting for",
                        regex, timeout, tail))
                self._cond.wait(min(left, 1.0))

    def send(self, text, char_delay=None):
        """Type text (a str of byte values 0-255), pausing after each character."""
        delay = self.char_delay if char_delay is None else char_delay
        for b in text.encode("latin-1"):
            self._sock.sendall(bytes([b]))
            time.sleep(delay)

    def wait_closed(self, timeout):
        with self._cond:
            return self._cond.wait_for(lambda: self._eof, timeout)

    @property
    def text(self):
        with self._cond:
            return self._text

    def close(self):
        try:
            self._sock.close()
        finally:
            self._reader.join(2)
            self._log.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BochsRun:
    """scripts/bochs-run.sh with COM1 on a loopback socket, and a session on it."""

    def __init__(self, image, log_path, bochs_args=(), timeout=300, char_delay=0.03,
                 run_log=None, port=None):
        self.port = port or free_port()
        open(log_path, "wb").close()
        self._run_out = open(run_log or log_path + ".run", "wb")
        cmd = [os.path.join(REPO, "scripts", "bochs-run.sh"), "--image", image,
               "--serial", log_path, "--serial-socket", str(self.port),
               "--timeout", str(timeout)] + list(bochs_args)
        # Its own process group, so a kill reaches Bochs under script(1) too.
        self.proc = subprocess.Popen(cmd, stdout=self._run_out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self.session = SerialSession(self.port, log_path, char_delay=char_delay,
                                         alive=lambda: self.proc.poll() is None)
        except Exception:
            self.kill()
            raise

    def wait(self, timeout):
        """bochs-run.sh's exit status (0: Mica powered off), None on timeout."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(10) is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        self.session.close()
        self._run_out.close()
        return False


def keys(text):
    """A send step's text: named keys, then Python escapes."""
    def key(m):
        name = m.group(1).lower()
        if name.startswith("ctrl-") and len(name) == 6:
            return "\\x%02x" % (ord(name[5]) & 0x1f)
        return KEYS[name].encode("unicode_escape").decode() if name in KEYS else m.group(0)
    # <ctrl-]> too (0x1d, the console's detach key), and the other ASCII controls.
    text = re.sub(r"<([A-Za-z-]+|ctrl-[@\[\\\]^_])>", key, text)
    return codecs.decode(text, "unicode_escape")


def parse_script(path):
    steps = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.strip().partition(" ")
            try:
                if word == "expect":
                    name, t, regex = rest.split(None, 2)
                    steps.append(("expect", name, float(t), regex))
                elif word == "send":
                    steps.append(("send", None, keys(rest)))
                elif word == "sleep":
                    steps.append(("sleep", None, float(rest)))
                elif word == "end":
                    name, t = rest.split()
                    steps.append(("end", name, float(t)))
                else:
                    raise ValueError("unknown step '%s'" % word)
            except (ValueError, KeyError) as e:
                sys.exit("%s:%d: %s" % (path, n, e))
    return steps


def run_script(steps, session, run=None):
    """Print one PASS/FAIL line per named step; True if all passed."""
    failed = None
    for step in steps:
        kind, name = step[0], step[1]
        if failed:
            if name:
                print("FAIL: %s (skipped: %s failed)" % (name, failed), flush=True)
            continue
        t0 = time.monotonic()
        if kind == "expect":
            try:
                session.expect(step[3], step[2])
                print("PASS: %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
            except ExpectTimeout as e:
                print("FAIL: %s (%s)" % (name, e), flush=True)
                failed = name
        elif kind == "send":
            session.send(step[2])
        elif kind == "sleep":
            time.sleep(step[2])
        elif kind == "end":
            status = run.wait(step[2]) if run else (0 if session.wait_closed(step[2]) else None)
            if status == 0:
                print("PASS: %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
            else:
                why = "still running after %.0f s" % step[2] if status is None else \
                      "bochs-run.sh exited with status %d" % status
                print("FAIL: %s (%s)" % (name, why), flush=True)
                failed = name
    return failed is None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--image", help="boot this image in Bochs (scripts/bochs-run.sh)")
    where.add_argument("--port", type=int, help="connect to a Bochs already listening")
    ap.add_argument("--log", required=True, help="serial log: everything received")
    ap.add_argument("--char-delay", type=float, default=0.03, help="seconds after each character")
    ap.add_argument("--timeout", type=int, default=300, help="bochs-run.sh --timeout")
    ap.add_argument("--bochs-arg", action="append", default=[], help="more bochs-run.sh options")
    ap.add_argument("script")
    a = ap.parse_args()
    steps = parse_script(a.script)
    if a.port:
        open(a.log, "wb").close()
        s = SerialSession(a.port, a.log, char_delay=a.char_delay)
        try:
            ok = run_script(steps, s)
        finally:
            s.close()
    else:
        with BochsRun(a.image, a.log, a.bochs_arg, a.timeout, a.char_delay) as run:
            ok = run_script(steps, run.session, run)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
