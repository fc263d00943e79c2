/* Minimal pause process for pod sandboxes: holds the pod's namespaces, reaps zombies
 * (it is PID 1 when the pod shares its PID namespace) and exits on SIGINT/SIGTERM.
 * Built locally because no registry (registry.k8s.io/pause) is reachable. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig) { _exit(0); }

static void on_chld(int sig) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char **argv) {
  struct sigaction term = {.sa_handler = on_term};
  struct sigaction chld = {.sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP};
  if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v') {
    puts("twinbuild-pause 1");
    return 0;
  }
  if (getpid() != 1) fputs("pause: not running as PID 1\n", stderr);
  if (sigaction(SIGINT, &term, NULL) < 0 || sigaction(SIGTERM, &term, NULL) < 0 ||
      sigaction(SIGCHLD, &chld, NULL) < 0)
    return 1;
  for (;;) pause();
}
