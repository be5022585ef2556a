/*
 * agentguard-shim: stands in for sh, bash, zsh and dash inside an agentguard session.
 *
 * It only forwards: it works out what script the shell was asked to run (-c SCRIPT, a
 * script file, or a script on stdin), sends it with the cwd to the session over a unix
 * socket, and then either executes the real shell with the same arguments (and the same
 * stdin bytes) or refuses with exit status 126 and the session's reason on stderr.
 * Parsing and policy happen once, in the warm session process. Anything that goes wrong
 * here refuses: a shim that cannot ask never runs the command.
 *
 * Protocol (one line each way):
 *   request  {"v":1,"shell":"bash","mode":"c|file|stdin|nested|interactive","cwd":"…",
 *             "argv":[…],"script":"…","token":"…","pid":N}
 *   reply    "ALLOW <token>\n"  or  "DENY <message>\n"
 *
 * "ESCALATE <ticket>\n" means the person approved a command the sandbox would refuse: the
 * shim hands its stdin, stdout and stderr and its environment to the broker outside the
 * sandbox (src/broker/broker.c) with the ticket, relays signals to it, and exits with the
 * command's status. The ticket, not the shim, says what runs there.
 *
 * AGENTGUARD_RLIMITS="data=BYTES,cpu=SECONDS" (set by the session where no cgroup holds the
 * agent's tree, src/sandbox/limits.ts) becomes RLIMIT_DATA and RLIMIT_CPU on every shell, so
 * on each command it starts; the exit report carries the command's peak memory ("maxrss", KiB).
 *
 * A shell started by a command the session already allowed (make, npm test running sh -c
 * a thousand times) carries that command's token, and is checked like any other: the
 * token only tells the session what the person already approved above it. With
 * --trust-nested (weaker, off by default) the session also writes the token to
 * <run dir>/tokens/<token> with the pid and start time of the shell it was granted to, in
 * a directory the sandbox keeps read-only; if that process is this shim or one of its
 * ancestors, the shim runs the shell without waiting for an answer and only tells the
 * session, for the log ("local":1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define MAX_SCRIPT (1 << 20) /* larger scripts are refused, not analysed in part */
#define DEFAULT_RUN_DIR "/run/agentguard"
#define DENIED 126

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "agentguard: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(DENIED);
}

static void buf_put(buf_t *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (b->len + n + 1 > cap) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) die("%s", "out of memory");
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

static void buf_str(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

/* JSON string with every control byte escaped; other bytes pass through. */
static void buf_json(buf_t *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      buf_put(b, e, 2);
    } else if (c < 0x20 || c == 0x7f) {
      char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      buf_put(b, e, 6);
    } else {
      buf_put(b, (const char *)&s[i], 1);
    }
  }
  buf_put(b, "\"", 1);
}

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static int known_shell(const char *n) {
  return !strcmp(n, "sh") || !strcmp(n, "bash") || !strcmp(n, "zsh") || !strcmp(n, "dash") || !strcmp(n, "ksh");
}

/* Which shell we stand in for: the path execve was given (AT_EXECFN), else argv[0]. */
static const char *shell_name(const char *argv0) {
  const char *fn = (const char *)getauxval(AT_EXECFN);
  if (fn && known_shell(base_name(fn))) return base_name(fn);
  const char *n = base_name(argv0);
  if (*n == '-') n++; /* login shell: -bash */
  if (known_shell(n)) return n;
  return NULL;
}

static int read_all(int fd, buf_t *b, size_t limit) {
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return 0;
    if (b->len + (size_t)r > limit) return 1;
    buf_put(b, chunk, (size_t)r);
  }
}

/* Writes all of data, going on after a signal; 0, or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    off += (size_t)w;
  }
  return 0;
}

static int connect_session(const char *sock_path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(sock_path) >= sizeof addr.sun_path) {
    close(fd);
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, sock_path);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

/* Sends one request line and reads one reply line. */
static char *ask_session(const char *sock_path, buf_t *req) {
  int fd = connect_session(sock_path);
  if (fd < 0)
    die("cannot reach the agentguard session (%s); the command was not run. Start the agent inside `agentguard shell`.", strerror(errno));
  if (write_all(fd, req->data, req->len) != 0) die("lost the agentguard session while asking (%s); the command was not run", strerror(errno));
  /* One reply line; the session closes the connection after it. Read in chunks (a read
   * per byte costs a syscall, and a seccomp check, per byte). */
  buf_t reply = {0};
  char chunk[512];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("%s", "the agentguard session closed without an answer; the command was not run");
    char *nl = memchr(chunk, '\n', (size_t)r);
    buf_put(&reply, chunk, nl ? (size_t)(nl - chunk) : (size_t)r);
    if (nl) break;
    if (reply.len > (1u << 20)) die("%s", "the agentguard session sent an overlong answer; the command was not run");
  }
  close(fd);
  return reply.data ? reply.data : strdup("");
}

/* Secret-looking variable names: removed from the environment of every shell the agent starts. */
static int secret_name(const char *name, size_t n) {
  static const char *parts[] = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", NULL};
  char up[256];
  if (n == 0 || n >= sizeof up) return 0;
  for (size_t i = 0; i < n; i++) up[i] = (char)((name[i] >= 'a' && name[i] <= 'z') ? name[i] - 32 : name[i]);
  up[n] = 0;
  if (!strncmp(up, "AGENTGUARD_", 11)) return 0;
  if (!strncmp(up, "AWS_", 4)) return 1;
  if (n > 4 && !strcmp(up + n - 4, "_KEY")) return 1;
  for (int i = 0; parts[i]; i++)
    if (strstr(up, parts[i])) return 1;
  return 0;
}

static int passed_on_purpose(const char *name, size_t n) {
  const char *pass = getenv("AGENTGUARD_PASS_ENV");
  if (!pass) return 0;
  for (const char *p = pass; *p;) {
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && !strncmp(p, name, n)) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

/*
 * Variables that make a shell run code the check never saw before the checked script:
 * BASH_ENV (a file every non-interactive bash sources), exported functions (BASH_FUNC_x%%
 * replaces any command name), SHELLOPTS/BASHOPTS (xtrace, which expands PS4, a command
 * substitution), ZDOTDIR (zsh's .zshenv). Removed like secrets, unless passed on purpose.
 */
static int startup_name(const char *name, size_t n) {
  static const char *names[] = {"BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4", "ZDOTDIR", NULL};
  if (n > 9 && !strncmp(name, "BASH_FUNC_", 10)) return 1;
  for (int i = 0; names[i]; i++)
    if (strlen(names[i]) == n && !strncmp(name, names[i], n)) return 1;
  return 0;
}

extern char **environ;

static void scrub_environment(void) {
  for (;;) {
    int removed = 0;
    for (char **e = environ; *e; e++) {
      const char *eq = strchr(*e, '=');
      size_t n = eq ? (size_t)(eq - *e) : strlen(*e);
      if ((secret_name(*e, n) || startup_name(*e, n)) && !passed_on_purpose(*e, n)) {
        char name[256];
        memcpy(name, *e, n);
        name[n] = 0;
        unsetenv(name);
        removed = 1;
        break; /* environ changed: start over */
      }
    }
    if (!removed) return;
  }
}

static pid_t child_pid = 0;

static void forward_signal(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/*
 * Runs the real shell as a child and reports its exit status and duration to the session
 * for the log, then exits the same way. Signals sent to the shim reach the shell; the
 * terminal's own SIGINT/SIGQUIT already reach it directly (same process group).
 */
static int run_and_report(const char *real, char **argv, const char *sock, const char *token) {
  double start = now_ms();
  child_pid = fork();
  if (child_pid < 0) die("cannot start the real shell: %s", strerror(errno));
  if (child_pid == 0) {
    execv(real, argv);
    die("cannot run the real shell: %s", strerror(errno));
  }
  struct sigaction sa = {0};
  sa.sa_handler = forward_signal;
  sigemptyset(&sa.sa_mask);
  int fwd[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM};
  for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) sigaction(fwd[i], &sa, NULL);
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  int status = 0;
  struct rusage ru = {0};
  /* wait4's usage covers the shell and what it waited for: the command's peak memory. */
  while (wait4(child_pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) die("lost the real shell: %s", strerror(errno));
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char line[256];
  int n = snprintf(line, sizeof line, "{\"v\":1,\"report\":\"exit\",\"token\":\"%.64s\",\"status\":%d,\"ms\":%.0f,\"maxrss\":%ld}\n", token, code, now_ms() - start, ru.ru_maxrss);
  int fd = connect_session(sock);
  if (fd >= 0) {
    if (write(fd, line, (size_t)n) < 0) { /* the log misses one exit status; the command already ran */ }
    char c;
    while (read(fd, &c, 1) > 0 && c != '\n') {}
    close(fd);
  }
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
  }
  return code;
}

static volatile sig_atomic_t broker_fd = -1;

/* Ctrl-C reaches the shim (the agent's foreground group), not the command outside: pass it on. */
static void relay_signal(int sig) {
  unsigned char b = (unsigned char)sig;
  int e = errno;
  if (broker_fd >= 0 && write(broker_fd, &b, 1) < 0) { /* the broker is gone: the reply says so */ }
  errno = e;
}

/*
 * Runs the approved command outside the sandbox through the broker: the ticket and this
 * process's fds 0, 1, 2 (SCM_RIGHTS) and environment go over <run dir>/broker.sock; the
 * reply is how the command ended. Anything else refuses with 126.
 */
static int escalate(const char *run_dir, const char *ticket) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/broker.sock", run_dir);
  int fd = connect_session(path);
  if (fd < 0) die("cannot reach the agentguard broker to run the approved command outside the sandbox (%s); the command was not run", strerror(errno));
  buf_t env = {0};
  for (char **e = environ; *e; e++) buf_put(&env, *e, strlen(*e) + 1);
  char head[128];
  int n = snprintf(head, sizeof head, "%.32s %zu\n", ticket, env.len);
  int fds[3] = {0, 1, 2};
  char cbuf[CMSG_SPACE(sizeof fds)];
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {.iov_base = head, .iov_len = 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  /* A broker that refuses closes early: the refusal is read below, not lost to SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  ssize_t sent;
  do sent = sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  int handed = sent == 1 && write_all(fd, head + 1, (size_t)n - 1) == 0 && (!env.len || write_all(fd, env.data, env.len) == 0);
  int send_errno = errno;
  broker_fd = fd;
  struct sigaction sa = {0};
  sa.sa_handler = relay_signal;
  sigemptyset(&sa.sa_mask);
  int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof relayed / sizeof relayed[0]; i++) sigaction(relayed[i], &sa, NULL);
  buf_t reply = {0};
  char ch;
  for (;;) {
    ssize_t r = read(fd, &ch, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0 && !handed) die("lost the agentguard broker while handing over the command (%s); the command was not run", strerror(send_errno));
    if (r <= 0) die("%s", "the agentguard broker closed without saying how the command ended");
    if (ch == '\n') break;
    buf_put(&reply, &ch, 1);
  }
  const char *line = reply.data ? reply.data : "";
  int code;
  if (sscanf(line, "EXIT %d", &code) == 1) return code;
  if (sscanf(line, "SIGNAL %d", &code) == 1) {
    /* End the way the command ended, so the agent sees the same signal. */
    signal(code, SIG_DFL);
    raise(code);
    return 128 + code;
  }
  die("the agentguard broker refused the command: %s", strncmp(line, "REFUSED ", 8) ? line : line + 8);
  return DENIED;
}

typedef enum { MODE_COMMAND, MODE_FILE, MODE_STDIN, MODE_INTERACTIVE, MODE_INFO } mode_t_;

/* Mirrors shellMode() in src/programs/shells.ts: -c in any cluster, -s, --rcfile F, -o X. */
static mode_t_ shell_mode(int argc, char **argv, int *script_index) {
  int command = 0, stdin_mode = 0, interactive = 0, i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--") || !strcmp(a, "-")) {
      i++;
      break;
    }
    if (a[0] == '-' && a[1] == '-') {
      if (!strcmp(a, "--version") || !strcmp(a, "--help")) return MODE_INFO;
      if (!strcmp(a, "--rcfile") || !strcmp(a, "--init-file")) i++;
      continue;
    }
    if ((a[0] != '-' && a[0] != '+') || !a[1]) break;
    for (const char *p = a + 1; *p; p++) {
      if (a[0] == '-' && *p == 'c') command = 1;
      if (a[0] == '-' && *p == 's') stdin_mode = 1;
      if (a[0] == '-' && *p == 'i') interactive = 1;
      if (*p == 'o' || *p == 'O') i++;
    }
  }
  *script_index = i < argc ? i : -1;
  if (command) return *script_index >= 0 ? MODE_COMMAND : MODE_INFO;
  if (stdin_mode || *script_index < 0) return (interactive || isatty(0)) ? MODE_INTERACTIVE : MODE_STDIN;
  return MODE_FILE;
}

/* Parent pid and start time (clock ticks since boot) of a process, from /proc/<pid>/stat. */
static int proc_stat(int pid, int *ppid, unsigned long long *start) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  /* The command name may hold spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  p++;
  /* After ')': state (3), ppid (4), … starttime is field 22. */
  int field = 2;
  char *save = NULL;
  for (char *t = strtok_r(p, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
    field++;
    if (field == 4) *ppid = atoi(t);
    if (field == 22) {
      *start = strtoull(t, NULL, 10);
      return 0;
    }
  }
  return -1;
}

/* Whether the session granted `token` to this process or one of its ancestors. */
static int token_is_ours(const char *run_dir, const char *token) {
  size_t len = strlen(token);
  if (len != 32) return 0;
  for (size_t i = 0; i < len; i++)
    if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f'))) return 0;
  char path[PATH_MAX], buf[128];
  snprintf(path, sizeof path, "%s/tokens/%s", run_dir, token);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  int granted;
  unsigned long long granted_start;
  if (sscanf(buf, "%d %llu", &granted, &granted_start) != 2 || granted <= 1) return 0;
  int pid = (int)getpid();
  for (int depth = 0; depth < 128 && pid > 1; depth++) {
    int ppid = 0;
    unsigned long long start = 0;
    if (proc_stat(pid, &ppid, &start) != 0) return 0;
    if (pid == granted) return start == granted_start;
    pid = ppid;
  }
  return 0;
}

/* Hands the real shell exactly the bytes that were checked, as its stdin. */
static void hand_stdin(const buf_t *script) {
  int mfd = memfd_create("agentguard-stdin", MFD_CLOEXEC);
  if (mfd < 0 || write_all(mfd, script->data, script->len) != 0) die("cannot keep the script for the shell: %s", strerror(errno));
  if (lseek(mfd, 0, SEEK_SET) < 0 || dup2(mfd, 0) < 0) die("cannot hand the script to the shell: %s", strerror(errno));
}

/*
 * The real shell reads a script file by its path (so $0 and BASH_SOURCE stay the script's),
 * which means it reads the file again. Refuse if the file no longer holds the bytes the
 * session checked: an edit between check and run must not run unchecked. (A script that
 * rewrites itself while running is the analysis's business: a write to its own path asks.)
 */
static void same_script_or_die(const char *file, const buf_t *checked) {
  buf_t now = {0};
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  int r = fd < 0 ? -1 : read_all(fd, &now, MAX_SCRIPT);
  if (fd >= 0) close(fd);
  int same = r == 0 && now.len == checked->len && (now.len == 0 || !memcmp(now.data, checked->data, now.len));
  free(now.data);
  if (!same) die("%s changed after it was checked; the command was not run", file);
}

/* Tells the session a nested shell ran on its token, without waiting for an answer. */
static int notify_session(const char *sock_path, buf_t *req) {
  int fd = connect_session(sock_path);
  if (fd < 0) return -1;
  int r = write_all(fd, req->data, req->len);
  close(fd);
  return r;
}

/*
 * The session's per-command limits where no cgroup holds the agent's tree. Soft and hard
 * together, so a command cannot raise them again; RLIMIT_CPU's hard limit a few seconds later
 * ends with SIGKILL a program that ignores SIGXCPU. An unreadable value refuses: the session
 * said at start that these limits hold.
 */
static void apply_rlimits(void) {
  const char *spec = getenv("AGENTGUARD_RLIMITS");
  if (!spec || !*spec) return;
  for (const char *p = spec; *p;) {
    char key[16] = {0};
    unsigned long long v = 0;
    int used = 0;
    if (sscanf(p, "%15[a-z]=%llu%n", key, &v, &used) != 2) die("AGENTGUARD_RLIMITS is malformed (%s); the command was not run", spec);
    int resource = !strcmp(key, "data") ? RLIMIT_DATA : !strcmp(key, "cpu") ? RLIMIT_CPU : -1;
    if (resource < 0) die("AGENTGUARD_RLIMITS names an unknown limit (%s); the command was not run", spec);
    struct rlimit now, want;
    if (getrlimit(resource, &now) != 0) die("cannot read a limit: %s", strerror(errno));
    want.rlim_cur = v;
    want.rlim_max = resource == RLIMIT_CPU ? v + 5 : v;
    /* Never raise a limit already lower (a nested shell, or the person's own ulimit). */
    if (now.rlim_max != RLIM_INFINITY && want.rlim_max > now.rlim_max) want.rlim_max = now.rlim_max;
    if (now.rlim_cur != RLIM_INFINITY && want.rlim_cur > now.rlim_cur) want.rlim_cur = now.rlim_cur;
    if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
    if (setrlimit(resource, &want) != 0) die("cannot set a per-command limit: %s; the command was not run", strerror(errno));
    p += used;
    if (*p == ',') p++;
    else if (*p) die("AGENTGUARD_RLIMITS is malformed (%s); the command was not run", spec);
  }
}

int main(int argc, char **argv) {
  apply_rlimits();
  const char *name = shell_name(argv[0]);
  if (!name) die("cannot tell which shell %s stands for; the command was not run", argv[0]);
  const char *run_dir = getenv("AGENTGUARD_RUN_DIR");
  if (!run_dir || !*run_dir) run_dir = DEFAULT_RUN_DIR;
  const char *sock = getenv("AGENTGUARD_SOCKET");
  char sock_buf[PATH_MAX], real[PATH_MAX], rc[PATH_MAX];
  if (!sock || !*sock) {
    snprintf(sock_buf, sizeof sock_buf, "%s/session.sock", run_dir);
    sock = sock_buf;
  }
  /* Outside the sandbox (a shell started by an escalated command) real/ holds only mount points. */
  const char *real_dir = getenv("AGENTGUARD_REAL_DIR");
  if (real_dir && *real_dir) snprintf(real, sizeof real, "%s/%s", real_dir, name);
  else snprintf(real, sizeof real, "%s/real/%s", run_dir, name);

  /* The interactive-bash hook asks about a whole typed line: --agentguard-line LINE. */
  int line_check = argc == 3 && !strcmp(argv[1], "--agentguard-line");
  int script_index = -1;
  mode_t_ mode = line_check ? MODE_COMMAND : shell_mode(argc, argv, &script_index);
  if (line_check) script_index = 2;
  if (mode == MODE_INFO) {
    scrub_environment();
    execv(real, argv);
    die("cannot run the real shell: %s", strerror(errno));
  }

  buf_t script = {0};
  const char *mode_name = line_check ? "line" : "c";
  if (mode == MODE_COMMAND) {
    buf_str(&script, argv[script_index]);
  } else if (mode == MODE_FILE) {
    mode_name = "file";
    int fd = open(argv[script_index], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      mode_name = "unreadable";
    } else {
      int r = read_all(fd, &script, MAX_SCRIPT);
      close(fd);
      if (r != 0) mode_name = r > 0 ? "too-large" : "unreadable";
    }
  } else if (mode == MODE_STDIN) {
    mode_name = "stdin";
    int r = read_all(0, &script, MAX_SCRIPT);
    /* What was read is all the real shell would get: never run part of a script. */
    if (r > 0) die("%s", "the script on stdin is larger than 1 MiB, too large to check; the command was not run");
    if (r < 0) die("cannot read the script on stdin (%s); the command was not run", strerror(errno));
  } else {
    mode_name = "interactive";
  }

  /* A shell started by an approved command carries that command's token. */
  const char *token = getenv("AGENTGUARD_TOKEN");
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "");

  buf_t req = {0};
  buf_str(&req, "{\"v\":1,\"shell\":");
  buf_json(&req, name, strlen(name));
  buf_str(&req, ",\"mode\":");
  buf_json(&req, mode_name, strlen(mode_name));
  buf_str(&req, ",\"cwd\":");
  buf_json(&req, cwd, strlen(cwd));
  char pid[64];
  snprintf(pid, sizeof pid, ",\"pid\":%d,\"ppid\":%d", (int)getpid(), (int)getppid());
  buf_str(&req, pid);
  if (token && *token) {
    buf_str(&req, ",\"token\":");
    buf_json(&req, token, strlen(token));
  }
  buf_str(&req, ",\"argv\":[");
  for (int i = 0; i < argc; i++) {
    if (i) buf_str(&req, ",");
    buf_json(&req, argv[i], strlen(argv[i]));
  }
  buf_str(&req, "],\"script\":");
  buf_json(&req, script.data ? script.data : "", script.len);

  /* The fast way for a nested shell: the token's file says it was granted to an ancestor. */
  /* (Not for a script file that was too large or unreadable: the session decides about those.) */
  int checkable = mode == MODE_COMMAND || mode == MODE_STDIN || (mode == MODE_FILE && !strcmp(mode_name, "file"));
  if (token && *token && !line_check && checkable && token_is_ours(run_dir, token)) {
    buf_str(&req, ",\"local\":1}\n");
    if (notify_session(sock, &req) != 0) die("%s", "cannot reach the agentguard session to log this shell; the command was not run");
    scrub_environment();
    if (mode == MODE_STDIN) hand_stdin(&script);
    execv(real, argv);
    die("cannot run the real shell: %s", strerror(errno));
  }
  buf_str(&req, "}\n");

  char *reply = ask_session(sock, &req);
  if (!line_check && !strncmp(reply, "ESCALATE ", 9)) {
    scrub_environment();
    return escalate(run_dir, reply + 9);
  }
  if (strncmp(reply, "ALLOW ", 6) != 0 && strcmp(reply, "ALLOW") != 0) {
    const char *msg = strncmp(reply, "DENY ", 5) == 0 ? reply + 5 : reply;
    fprintf(stderr, "%s\n", *msg ? msg : "agentguard: denied");
    return DENIED;
  }
  if (line_check) return 0;
  scrub_environment();
  const char *granted = reply[5] == ' ' ? reply + 6 : "";
  /* A new token means the session checked this command itself: report how it ends. */
  int report = *granted && (!token || strcmp(token, granted) != 0) && mode != MODE_INTERACTIVE;
  if (*granted) setenv("AGENTGUARD_TOKEN", granted, 1);

  if (mode == MODE_STDIN) hand_stdin(&script);
  if (mode == MODE_FILE && !strcmp(mode_name, "file")) same_script_or_die(argv[script_index], &script);

  if (mode == MODE_INTERACTIVE && !strcmp(name, "bash")) {
    /* An interactive bash in the session checks every line it is given. */
    snprintf(rc, sizeof rc, "%s/bashrc", run_dir);
    const char *rc_env = getenv("AGENTGUARD_BASHRC");
    char **nargv = calloc((size_t)argc + 3, sizeof *nargv);
    if (!nargv) die("%s", "out of memory");
    nargv[0] = argv[0];
    nargv[1] = "--rcfile";
    nargv[2] = (char *)(rc_env && *rc_env ? rc_env : rc);
    for (int i = 1; i < argc; i++) nargv[i + 2] = argv[i];
    execv(real, nargv);
    die("cannot run the real shell: %s", strerror(errno));
  }
  if (report) return run_and_report(real, argv, sock, granted);
  execv(real, argv);
  die("cannot run the real shell: %s", strerror(errno));
  return DENIED;
}
