/*
 * agentguard-bridge: runs INSIDE the sandbox, where the network namespace has only
 * loopback, in front of the agent. It listens on 127.0.0.1:<port> (where the proxy
 * variables point) and joins each connection to the egress proxy's unix socket, bound in
 * from outside. It understands nothing of HTTP: every decision is the proxy's, outside the
 * agent's reach.
 *
 *   agentguard-bridge <unix-socket-path> <port> [--forward <port>=<unix-socket-path>]... -- <command> [args...]
 *   agentguard-bridge --foreground -- <command> [args...]
 *
 * --forward: a loopback port of the host the person opened with --allow-host 127.0.0.1:PORT.
 * The bridge listens on 127.0.0.1:PORT inside too and relays each connection to that
 * socket, where the session joins it to the host's port and logs it.
 *
 * Once listening, it starts the command (the agent) as its child on the same terminal and
 * exits with the child's status, so the agent starts only when the proxy is reachable and
 * the bridge lives exactly as long as the agent. If it cannot listen, the agent does not
 * start (fail closed).
 *
 * Bytes move with splice(2) through a pipe, never through user space: C and splice because
 * this hop sits on every byte the agent downloads (a Node.js bridge halved the throughput of
 * a session's downloads; see bench/egress.js). Two threads per connection, one each way;
 * each passes its end of stream on as a half-close.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define PIPE_SIZE (1 << 20)

/* One loopback port inside and the unix socket outside its connections go to. */
struct listen_spec {
  int fd;
  const char *path;
};
static void big_buffers(int fd);
static volatile pid_t agent_pid = -1;

struct conn {
  int client;
  int upstream;
  atomic_int open;
  /* Bytes moved client → upstream and upstream → client. */
  atomic_llong up;
  atomic_llong down;
};

struct direction {
  struct conn *c;
  int from;
  int to;
  atomic_llong *count;
};

static void done(struct conn *c) {
  if (atomic_fetch_sub(&c->open, 1) == 1) {
    close(c->client);
    close(c->upstream);
    free(c);
  }
}

static void *relay(void *arg) {
  struct direction d = *(struct direction *)arg;
  free(arg);
  int p[2];
  int failed = 0;
  if (pipe2(p, O_CLOEXEC) != 0) {
    failed = 1;
  } else {
    fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE); /* best effort: the default 64 KB still works */
    for (;;) {
      ssize_t n = splice(d.from, NULL, p[1], NULL, PIPE_SIZE, SPLICE_F_MOVE);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        failed = 1;
        break;
      }
      while (n > 0) {
        ssize_t m = splice(p[0], NULL, d.to, NULL, (size_t)n, SPLICE_F_MOVE); /* no SPLICE_F_MORE: it corks TCP */
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) {
          failed = 1;
          break;
        }
        n -= m;
        atomic_fetch_add(d.count, m);
      }
      if (failed) break;
    }
    close(p[0]);
    close(p[1]);
  }
  if (failed) {
    /* A reset or an error on one side takes the whole connection down, both ways. */
    shutdown(d.c->client, SHUT_RDWR);
    shutdown(d.c->upstream, SHUT_RDWR);
  } else {
    shutdown(d.to, SHUT_WR); /* end of stream, passed on */
  }
  done(d.c);
  return NULL;
}

static int start_direction(pthread_attr_t *attr, struct conn *c, int from, int to, pthread_t *t) {
  struct direction *d = malloc(sizeof *d);
  if (!d) return -1;
  d->c = c;
  d->from = from;
  d->to = to;
  d->count = from == c->client ? &c->up : &c->down;
  pthread_t ignored;
  if (pthread_create(t ? t : &ignored, attr, relay, d) != 0) {
    free(d);
    return -1;
  }
  return 0;
}

static struct conn *new_conn(int client, int upstream, int refs) {
  struct conn *c = malloc(sizeof *c);
  if (!c) return NULL;
  c->client = client;
  c->upstream = upstream;
  atomic_init(&c->open, refs);
  atomic_init(&c->up, 0);
  atomic_init(&c->down, 0);
  return c;
}

/*
 * --relay: the proxy's side of a tunnel it allowed. The proxy starts this with the agent's
 * connection on fd 3 and the upstream connection on fd 4, so the bytes of a download do
 * not pass through JavaScript; when both directions are done it writes "<up> <down>\n"
 * (bytes) to fd 5 for the log.
 */
static int relay_main(void) {
  signal(SIGPIPE, SIG_IGN);
  big_buffers(3);
  big_buffers(4);
  /* Node's copies of both sockets are closed as soon as this process starts and Node never
   * reads or writes them again, so blocking mode (shared with them) is this relay's alone. */
  fcntl(3, F_SETFL, fcntl(3, F_GETFL) & ~O_NONBLOCK);
  fcntl(4, F_SETFL, fcntl(4, F_GETFL) & ~O_NONBLOCK);
  struct conn *c = new_conn(3, 4, 3);
  if (!c) return 1;
  pthread_t a, b;
  if (start_direction(NULL, c, 3, 4, &a) != 0) return 1;
  if (start_direction(NULL, c, 4, 3, &b) != 0) {
    shutdown(3, SHUT_RDWR);
    shutdown(4, SHUT_RDWR);
    pthread_join(a, NULL);
    return 1;
  }
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  dprintf(5, "%lld %lld\n", (long long)atomic_load(&c->up), (long long)atomic_load(&c->down));
  done(c);
  return 0;
}

/* Larger socket buffers (the kernel caps them at net.core.wmem_max/rmem_max): fewer trips
 * between the processes on each side of a unix socket. Best effort. */
static void big_buffers(int fd) {
  int size = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

static int connect_proxy(const char *socket_path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, socket_path, sizeof a.sun_path - 1);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  big_buffers(fd);
  return fd;
}

static void *accept_loop(void *arg) {
  int listener = ((struct listen_spec *)arg)->fd;
  const char *socket_path = ((struct listen_spec *)arg)->path;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  for (;;) {
    int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        usleep(10000);
        continue;
      }
      break;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int upstream = connect_proxy(socket_path);
    if (upstream < 0) {
      /* The proxy is gone (the session is ending): the client sees a closed connection. */
      close(client);
      continue;
    }
    struct conn *c = new_conn(client, upstream, 2);
    if (!c) {
      close(client);
      close(upstream);
      continue;
    }
    if (start_direction(&attr, c, client, upstream, NULL) != 0) {
      close(client);
      close(upstream);
      free(c);
      continue;
    }
    if (start_direction(&attr, c, upstream, client, NULL) != 0) {
      shutdown(client, SHUT_RDWR);
      shutdown(upstream, SHUT_RDWR);
      done(c);
    }
  }
  return NULL;
}

static void forward(int sig) {
  if (agent_pid > 0) kill(agent_pid, sig);
}

static void ignore(int sig) { (void)sig; }

/*
 * --foreground: the first program inside the sandbox. It puts the agent in a process group
 * of its own and makes that group the terminal's foreground group, then execs the agent.
 * Why: the pty's foreground group is otherwise the one bubblewrap's outer process belongs
 * to, and Ctrl-C (SIGINT) would kill bubblewrap, which takes the whole sandbox down with
 * it (--die-with-parent), instead of reaching the agent, which may want to catch it. With
 * the agent in front, Ctrl-C, Ctrl-\ and Ctrl-Z reach the agent's group only, the way a
 * shell's job control would have it. Nothing here is a security boundary: if it fails the
 * agent still starts (with the old behaviour) and a line says so.
 */
static int foreground_main(char **cmd) {
  if (isatty(0)) {
    /* tcsetpgrp from what has just become a background group raises SIGTTOU: block it. */
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &old);
    if (setpgid(0, 0) != 0 || tcsetpgrp(0, getpgrp()) != 0)
      fprintf(stderr, "agentguard: cannot give the agent the terminal's foreground (%s): Ctrl-C may end the whole session\n", strerror(errno));
    sigprocmask(SIG_SETMASK, &old, NULL);
  }
  execvp(cmd[0], cmd);
  fprintf(stderr, "agentguard: cannot start %s: %s\n", cmd[0], strerror(errno));
  return 127;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--relay") == 0) return relay_main();
  if (argc >= 4 && strcmp(argv[1], "--foreground") == 0 && strcmp(argv[2], "--") == 0) return foreground_main(argv + 3);
  if (argc < 5) {
    fprintf(stderr, "usage: agentguard-bridge <unix-socket-path> <port> [--forward <port>=<unix-socket-path>]... -- <command> [args...]\n");
    return 2;
  }
  /* The proxy's port first, then each forwarded one; then "--" and the agent. */
  struct listen_spec specs[65];
  int nspecs = 0;
  int i = 1;
  const char *spec_path = argv[i++];
  const char *spec_port = argv[i++];
  for (;;) {
    if (nspecs == 64) {
      fprintf(stderr, "agentguard-bridge: too many forwarded ports\n");
      return 2;
    }
    char *end;
    long port = strtol(spec_port, &end, 10);
    if (*end || port < 1 || port > 65535 || strlen(spec_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
      fprintf(stderr, "agentguard-bridge: bad socket path or port\n");
      return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 512) != 0) {
      fprintf(stderr, "agentguard: the egress bridge cannot listen on 127.0.0.1:%ld inside the sandbox (%s); the agent was not started\n", port, strerror(errno));
      return 2;
    }
    specs[nspecs].fd = listener;
    specs[nspecs].path = spec_path;
    nspecs++;
    if (i < argc && strcmp(argv[i], "--forward") == 0 && i + 1 < argc) {
      char *eq = strchr(argv[i + 1], '=');
      if (!eq) {
        fprintf(stderr, "agentguard-bridge: --forward wants <port>=<unix-socket-path>\n");
        return 2;
      }
      *eq = 0;
      spec_port = argv[i + 1];
      spec_path = eq + 1;
      i += 2;
      continue;
    }
    break;
  }
  if (i + 1 >= argc || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "agentguard-bridge: expected -- and a command\n");
    return 2;
  }
  char **cmd = argv + i + 1;

  /* Signals wait until the handlers are set: a SIGTERM right after the fork must reach the
   * agent, not end the bridge alone. The agent gets the old mask back. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGQUIT);
  sigprocmask(SIG_BLOCK, &block, &old);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "agentguard-bridge: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* The listener is close-on-exec: the agent inherits nothing of the bridge. */
    execvp(cmd[0], cmd);
    fprintf(stderr, "agentguard: cannot start %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
  }
  agent_pid = pid;

  /* Dispositions are set after the fork, so the agent keeps the defaults. Keys like Ctrl-C
   * reach the agent directly (same process group); the bridge only outlives them. */
  struct sigaction sa = {0};
  sa.sa_handler = ignore;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGQUIT, &sa, NULL);
  sa.sa_handler = forward;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  sigprocmask(SIG_SETMASK, &old, NULL);

  for (int k = 0; k < nspecs; k++) {
    pthread_t t;
    if (pthread_create(&t, NULL, accept_loop, &specs[k]) != 0) {
      fprintf(stderr, "agentguard-bridge: cannot start: %s\n", strerror(errno));
      kill(pid, SIGTERM);
      break;
    }
  }

  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  if (WIFSIGNALED(status)) {
    /* Die of the same signal, so the session reports what happened to the agent. */
    int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    raise(sig);
    return 128 + sig;
  }
  return WEXITSTATUS(status);
}
