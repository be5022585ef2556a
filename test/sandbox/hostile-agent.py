#!/usr/bin/env python3
# A hostile agent: run inside an agentguard session, it attacks the sandbox and agentguard
# itself without ever going through a shell (no shim, no policy), and prints one line
#   HOSTILE-RESULT {"attempt": "what happened", ...}
# Each attempt reports "refused: <why>" or what it got; the test decides what counts.
# Usage: hostile-agent.py <file holding agentguard's pid> <masked key path> <outside sentinel> <sessions dir> <npmrc>
import ctypes
import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import time

pidfile, key, sentinel, sessions, npmrc = sys.argv[1:6]
# The test writes agentguard's pid once the session has started (it cannot know it before).
for _ in range(200):
    try:
        pid = int(open(pidfile).read())
        break
    except (OSError, ValueError):
        time.sleep(0.05)
else:
    sys.stdout.write("\nHOSTILE-RESULT {\"error\": \"no pid file\"}\n")
    sys.exit(1)
out = {}


def attempt(name, fn):
    try:
        out[name] = fn()
    except OSError as e:
        out[name] = f"refused: {errno.errorcode.get(e.errno, e.errno)}"
    except Exception as e:  # noqa: BLE001 - report, never crash
        out[name] = f"refused: {type(e).__name__}: {e}"


def run(*argv):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=20)
    return f"exit {r.returncode}: {(r.stdout + r.stderr).strip()[:200]}"


def read(p):
    with open(p) as f:
        return "READ: " + f.read()[:100]


# Mounts: the masked credential directory, the read-only root.
attempt("umount-masked", lambda: run("umount", os.path.dirname(key)))
attempt("umount-lazy-masked", lambda: run("umount", "-l", os.path.dirname(key)))
attempt("key-after-umount", lambda: read(key))
# A user namespace of its own gets capabilities, but over locked mounts only.
# (No shell in between: it would meet the shim and the policy, which is not what is tested here.)
attempt("nested-userns-umount", lambda: run("unshare", "-Urm", "umount", "-l", os.path.dirname(key)))
attempt("remount-rw", lambda: run("mount", "-o", "remount,bind,rw", "/"))
attempt("nested-userns-remount", lambda: run("unshare", "-Urm", "mount", "-o", "remount,bind,rw", "/"))


def write_outside():
    with open(sentinel, "w") as f:
        f.write("overwritten by the agent")
    return "WROTE"


attempt("write-outside", write_outside)

# agentguard's process: its root (the hidden log), its descriptors, signals, ptrace.
attempt("proc-root-log", lambda: "LISTED: " + ",".join(os.listdir(f"/proc/{pid}/root{sessions}")))
attempt("proc-fd", lambda: "LISTED: " + ",".join(os.listdir(f"/proc/{pid}/fd")))
attempt("proc-fd1-write", lambda: (open(f"/proc/{pid}/fd/1", "w").write("FAKE PROMPT TEXT"), "WROTE")[1])
attempt("signal", lambda: (os.kill(pid, signal.SIGCONT), "DELIVERED")[1])


def ptrace():
    libc = ctypes.CDLL(None, use_errno=True)
    PTRACE_ATTACH, PTRACE_DETACH = 16, 17
    r = libc.ptrace(PTRACE_ATTACH, pid, None, None)
    if r == 0:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
        return "ATTACHED"
    raise OSError(ctypes.get_errno(), "ptrace")


attempt("ptrace", ptrace)

# The terminal: type into it, as if the person had pressed a key.
attempt("tiocsti-stdin", lambda: (fcntl.ioctl(0, termios.TIOCSTI, b"y"), "INJECTED")[1])


def tiocsti_tty():
    fd = os.open("/dev/tty", os.O_RDWR)
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"y")
        return "INJECTED"
    finally:
        os.close(fd)


attempt("tiocsti-dev-tty", tiocsti_tty)
attempt("tioclinux", lambda: (fcntl.ioctl(0, 0x541C, b"\x02" + b"\0" * 16), "ALLOWED")[1])

# The log, directly; the masked key and the token in the filtered ~/.npmrc.
attempt("sessions-dir", lambda: "LISTED: " + ",".join(os.listdir(sessions)))
attempt("key", lambda: read(key))
attempt("npmrc", lambda: read(npmrc))
attempt("capeff", lambda: [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0])
attempt("uid", lambda: str(os.getuid()))

sys.stdout.write("\nHOSTILE-RESULT " + json.dumps(out) + "\n")
sys.stdout.flush()
