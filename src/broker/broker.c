/*
 * agentguard-broker: runs OUTSIDE the sandbox and runs, on the person's "yes", the one
 * command the sandbox would refuse (a write outside the write roots, a masked credential,
 * a connection the namespace cannot make), with the agent's own stdin, stdout and stderr.
 *
 *   agentguard-broker <run dir> [NAME=VALUE ...]
 *
 * The NAME=VALUE pairs are the session's own values for variables the requester does not
 * get to choose (PATH with the shim directory first, HOME, TMPDIR, agentguard's own).
 *
 * It never decides anything. The session (src/session/escalate.ts) registers one ticket per
 * approved command on the broker's stdin, a pipe only the session holds:
 *
 *   <ticket> =<hex shell path> =<hex cwd> =<hex argv0> =<hex argv1> ...\n
 *
 * The command (shell, argv with the checked script bytes, cwd) lives in the ticket, so the
 * shim that redeems it cannot change what runs. A shim connects to <run dir>/broker.sock
 * (0600, reachable inside the sandbox through the read-only runtime bind) and sends
 *
 *   "<ticket> <env bytes>\n" + env (NUL-separated)      with fds 0, 1, 2 as SCM_RIGHTS
 *
 * An unknown or used ticket is refused ("REFUSED <why>\n"). Otherwise a runner process
 * starts the command in its own process group, relays the signal numbers the shim sends
 * (one byte each: Ctrl-C reaches the shim, not the command), kills the command if the
 * connection drops (the agent is gone), and answers "EXIT <n>\n" or "SIGNAL <n>\n". Each
 * end is also reported to the session on stdout for the log:
 *
 *   READY\n                                   once listening
 *   TICKET <ticket>\n                         a ticket is registered
 *   END <ticket> <status> <ms>\n              status as a shell reports it (128+sig)
 *
 * The broker dies with the session (PR_SET_PDEATHSIG, and EOF on stdin), and its runners
 * die with it, killing their commands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TICKET_LEN 32
#define MAX_TICKETS 256
#define MAX_ENV (1 << 20)
#define MAX_LINE (4 << 20) /* a ticket holds a script of up to 1 MiB, hex-encoded */

struct ticket {
  char id[TICKET_LEN + 1];
  char *line; /* the rest of the registration line: hex fields */
};

static struct ticket tickets[MAX_TICKETS];
static const char *run_dir;
/* The session's fixed variables (argv[2..]): they replace the requester's. */
static char **fixed_env;
static int fixed_count;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* One line to the session; lines are short, so a pipe write is atomic among runners. */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0) write_all(1, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static int unhex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decodes one space-separated field ("=" and hex, so an empty one is "=") in place; NULL at the end or on bad input. */
static char *next_field(char **cursor) {
  char *s = *cursor;
  if (!s || *s != '=') return NULL;
  char *end = strchr(s, ' ');
  if (end) *end = 0;
  *cursor = end ? end + 1 : NULL;
  s++;
  size_t n = strlen(s);
  static char bad[] = "!"; /* leaves the cursor unfinished, so the caller refuses */
  if (n % 2) return *cursor = bad, NULL;
  char *out = s;
  for (size_t i = 0; i < n; i += 2) {
    int hi = unhex(s[i]), lo = unhex(s[i + 1]);
    if (hi < 0 || lo < 0) return *cursor = bad, NULL;
    *out++ = (char)(hi << 4 | lo);
  }
  *out = 0;
  return s;
}

static int valid_id(const char *s, size_t n) {
  if (n != TICKET_LEN) return 0;
  for (size_t i = 0; i < n; i++)
    if (unhex((unsigned char)s[i]) < 0) return 0;
  return 1;
}

/* A registration line from the session. A full table drops the oldest ticket: its shim is refused. */
static void add_ticket(char *line) {
  char *sp = strchr(line, ' ');
  if (!sp || !valid_id(line, (size_t)(sp - line))) return;
  static int next = 0;
  struct ticket *t = &tickets[next];
  next = (next + 1) % MAX_TICKETS;
  free(t->line);
  memcpy(t->id, line, TICKET_LEN);
  t->id[TICKET_LEN] = 0;
  t->line = strdup(sp + 1);
  /* The session replies to the shim only after this: the ticket is here before the shim is. */
  if (t->line) report("TICKET %s\n", t->id);
}

/* Takes a ticket out of the table (one use only); NULL when it is not there. Compared in constant time. */
static char *take_ticket(const char *id) {
  for (int i = 0; i < MAX_TICKETS; i++) {
    if (!tickets[i].line) continue;
    unsigned diff = 0;
    for (int k = 0; k < TICKET_LEN; k++) diff |= (unsigned)(tickets[i].id[k] ^ id[k]);
    if (diff) continue;
    char *line = tickets[i].line;
    tickets[i].line = NULL;
    memset(tickets[i].id, 0, sizeof tickets[i].id);
    return line;
  }
  return NULL;
}

/*
 * Variables that would make the approved command run something other than what the person
 * read (a library preloaded, a startup file sourced, an exported function standing in for
 * rm, an ssh command for git, a pager on a terminal) are dropped; the sandbox's proxy
 * variables mean nothing out here; the session's fixed ones replace the requester's. A list
 * of known names: what it misses is still bounded by what the person approved to run.
 */
static int dropped(const char *e) {
  static const char *prefixes[] = {"LD_", "BASH_FUNC_", "GIT_CONFIG_", "AGENTGUARD_", NULL};
  /* HOME and TMPDIR: ~ and $TMPDIR must mean what the policy resolved them to (the session's). */
  static const char *names[] = {"HOME", "TMPDIR", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "IFS", "CDPATH", "GLOBIGNORE",
                                "ZDOTDIR", "GCONV_PATH", "LOCPATH", "NLSPATH", "HOSTALIASES", "NODE_OPTIONS", "NODE_PATH",
                                "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT",
                                "RUBYLIB", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH",
                                "GIT_ASKPASS", "GIT_PAGER", "GIT_EDITOR", "GIT_TEMPLATE_DIR", "SSH_ASKPASS", "PAGER", "MANPAGER",
                                "EDITOR", "VISUAL", "LESSOPEN", "LESSCLOSE", NULL};
  static const char *proxies[] = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy", NULL};
  const char *eq = strchr(e, '=');
  if (!eq) return 1;
  size_t n = (size_t)(eq - e);
  for (int i = 0; i < fixed_count; i++)
    if (!strncmp(e, fixed_env[i], n + 1)) return 1;
  for (int i = 0; prefixes[i]; i++)
    if (!strncmp(e, prefixes[i], strlen(prefixes[i]))) return 1;
  for (int i = 0; names[i]; i++)
    if (strlen(names[i]) == n && !strncmp(e, names[i], n)) return 1;
  for (int i = 0; proxies[i]; i++)
    if (strlen(proxies[i]) == n && !strncasecmp(e, proxies[i], n)) return 1;
  return 0;
}

static char **build_env(char *env, size_t len) {
  size_t count = (size_t)fixed_count + 1;
  for (size_t i = 0; i < len; i++)
    if (!env[i]) count++;
  char **out = calloc(count + 1, sizeof *out);
  if (!out) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    char *e = env + i;
    size_t n = strnlen(e, len - i);
    if (n == len - i) break; /* unterminated: ignored */
    if (!dropped(e)) out[k++] = e;
    i += n + 1;
  }
  for (int i = 0; i < fixed_count; i++) out[k++] = fixed_env[i];
  out[k] = NULL;
  return out;
}

static volatile sig_atomic_t wake_fd = -1;
static volatile sig_atomic_t terminated = 0;

static void on_signal(int sig) {
  if (sig == SIGTERM || sig == SIGHUP) terminated = 1;
  int e = errno;
  if (wake_fd >= 0 && write(wake_fd, "x", 1) < 0) { /* the pipe is full: poll wakes anyway */ }
  errno = e;
}

/*
 * The runner: one per redeemed ticket, a child of the broker. Starts the command, relays
 * signals from the shim, and reports how it ended.
 */
static void run(int conn, int fds[3], char *line, char *env, size_t env_len, const char *ticket) {
  /* If the broker (and so the session) goes, the command goes too. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() == 1) _exit(1);
  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) _exit(1);
  wake_fd = wake[1];
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  char *cursor = line;
  char *shell = next_field(&cursor);
  char *cwd = next_field(&cursor);
  char *argv[4096];
  int argc = 0;
  char *a;
  while (argc < 4095 && (a = next_field(&cursor))) argv[argc++] = a;
  argv[argc] = NULL;
  char **envp = build_env(env, env_len);
  if (!shell || !cwd || argc == 0 || cursor || !envp) {
    dprintf(conn, "REFUSED malformed ticket\n");
    _exit(1);
  }
  double start = now_ms();
  pid_t child = fork();
  if (child < 0) {
    dprintf(conn, "REFUSED cannot fork: %s\n", strerror(errno));
    _exit(1);
  }
  if (child == 0) {
    /* Its own process group, so a relayed Ctrl-C or a kill reaches everything it started. */
    setpgid(0, 0);
    for (int i = 0; i < 3; i++)
      if (dup2(fds[i], i) < 0) _exit(126);
    /* Nothing of the broker's (the ticket pipe, the listening socket) leaks into the command. */
    for (int fd = 3; fd < 1024; fd++) close(fd);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (chdir(cwd) != 0) {
      dprintf(2, "agentguard: cannot enter %s outside the sandbox: %s\n", cwd, strerror(errno));
      _exit(126);
    }
    execve(shell, argv, envp);
    dprintf(2, "agentguard: cannot run %s outside the sandbox: %s\n", shell, strerror(errno));
    _exit(126);
  }
  setpgid(child, child); /* also here: whichever runs first */
  for (int i = 0; i < 3; i++) close(fds[i]);

  int status = 0, have_status = 0, gone = 0;
  while (!have_status) {
    /* Once the shim is gone its socket is left out: a hung-up fd would wake poll forever. */
    struct pollfd p[2] = {{.fd = gone ? -1 : conn, .events = POLLIN}, {.fd = wake[0], .events = POLLIN}};
    int r = poll(p, 2, -1);
    if (r < 0 && errno != EINTR) {
      /* Cannot watch it any more: end it rather than report a status it did not have. */
      killpg(child, SIGKILL);
      while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
      break;
    }
    char junk[64];
    if (p[1].revents) while (read(wake[0], junk, sizeof junk) > 0) {}
    if (terminated && !gone) {
      killpg(child, SIGKILL);
      gone = 1;
    }
    if (!gone && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      unsigned char sigs[16];
      ssize_t n = read(conn, sigs, sizeof sigs);
      if (n <= 0) {
        /* The shim is gone (the agent was killed): nobody waits for this command any more. */
        killpg(child, SIGKILL);
        gone = 1;
      }
      for (ssize_t i = 0; i < n; i++)
        if (sigs[i] == SIGINT || sigs[i] == SIGTERM || sigs[i] == SIGHUP || sigs[i] == SIGQUIT) killpg(child, sigs[i]);
    }
    pid_t w = waitpid(child, &status, WNOHANG);
    if (w == child) have_status = 1;
  }
  double ms = now_ms() - start;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) dprintf(conn, "SIGNAL %d\n", WTERMSIG(status));
  else dprintf(conn, "EXIT %d\n", code);
  report("END %s %d %.0f\n", ticket, code, ms);
  _exit(0);
}

/* Reads one redemption from a new connection and hands it to a runner; refuses anything else. */
static void redeem(int conn) {
  /* A client that connects and says nothing must not hold the broker for long. */
  struct timeval tv = {.tv_sec = 5};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != getuid()) {
    dprintf(conn, "REFUSED not this user's session\n");
    return;
  }
  char head[128];
  size_t have = 0;
  int fds[3] = {-1, -1, -1}, nfds = 0;
  /* The descriptors come with the first bytes; the header line follows in at most a few reads. */
  char *nl = NULL;
  while (!nl && have < sizeof head - 1) {
    char cbuf[CMSG_SPACE(sizeof(int) * 3)];
    struct iovec iov = {.iov_base = head + have, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) goto out;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      int *got = (int *)CMSG_DATA(c);
      for (int i = 0; i < k; i++) {
        if (nfds < 3) fds[nfds++] = got[i];
        else close(got[i]);
      }
    }
    have += (size_t)n;
    head[have] = 0;
    nl = strchr(head, '\n');
  }
  char id[TICKET_LEN + 1];
  size_t env_len = 0;
  if (!nl || nfds != 3 || sscanf(head, "%32s %zu", id, &env_len) != 2 || !valid_id(id, strlen(id)) || env_len > MAX_ENV) {
    dprintf(conn, "REFUSED malformed request\n");
    goto out;
  }
  char *line = take_ticket(id);
  if (!line) {
    dprintf(conn, "REFUSED unknown or already used ticket\n");
    goto out;
  }
  char *env = malloc(env_len + 1);
  size_t got = 0;
  while (env && got < env_len) {
    ssize_t n = read(conn, env + got, env_len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  if (!env || got != env_len) {
    dprintf(conn, "REFUSED incomplete request\n");
    free(line);
    free(env);
    goto out;
  }
  tv.tv_sec = 0;
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  pid_t runner = fork();
  if (runner == 0) {
    run(conn, fds, line, env, env_len, id);
  }
  if (runner < 0) dprintf(conn, "REFUSED cannot fork: %s\n", strerror(errno));
  free(line);
  free(env);
out:
  for (int i = 0; i < nfds; i++) close(fds[i]);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: agentguard-broker <run dir> [NAME=VALUE ...]\n");
    return 2;
  }
  run_dir = argv[1];
  fixed_env = argv + 2;
  fixed_count = argc - 2;
  for (int i = 0; i < fixed_count; i++)
    if (!strchr(fixed_env[i], '=')) {
      fprintf(stderr, "agentguard-broker: not NAME=VALUE: %s\n", fixed_env[i]);
      return 2;
    }
  /* Dies with the session that started it; the check covers a session that died first. */
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1;
  /* Its own session: a command run here has no controlling terminal, so it cannot open
     /dev/tty and reach the person's terminal, which belongs to agentguard. */
  setsid();
  signal(SIGPIPE, SIG_IGN);
  /* Runners are reaped by the kernel: the broker waits for none of them. */
  struct sigaction sa = {0};
  sa.sa_handler = SIG_DFL;
  sa.sa_flags = SA_NOCLDWAIT;
  sigaction(SIGCHLD, &sa, NULL);

  char sock[4096];
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  snprintf(sock, sizeof sock, "%s/broker.sock", run_dir);
  if (strlen(sock) >= sizeof addr.sun_path) {
    fprintf(stderr, "agentguard-broker: socket path too long: %s\n", sock);
    return 1;
  }
  strcpy(addr.sun_path, sock);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(sock);
  /* 0600 from the start: no moment where another user could connect. */
  mode_t old = umask(0177);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 64) != 0) {
    fprintf(stderr, "agentguard-broker: cannot listen on %s: %s\n", sock, strerror(errno));
    return 1;
  }
  umask(old);
  report("READY\n");

  char *buf = malloc(MAX_LINE + 1);
  size_t len = 0;
  if (!buf) return 1;
  for (;;) {
    struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = lfd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[0].revents) {
      ssize_t n = read(0, buf + len, MAX_LINE - len);
      if (n <= 0) break; /* the session closed the pipe: it is ending */
      len += (size_t)n;
      char *start = buf, *nl;
      while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
        *nl = 0;
        add_ticket(start);
        start = nl + 1;
      }
      len -= (size_t)(start - buf);
      memmove(buf, start, len);
      if (len == MAX_LINE) len = 0; /* an over-long line is dropped, never half-read */
    }
    if (p[1].revents & POLLIN) {
      int conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) {
        redeem(conn);
        close(conn);
      }
    }
  }
  unlink(sock);
  /* Runners get SIGTERM from their death signal and kill their commands. */
  return 0;
}
