/*
 * mock-kafka: librdkafka's in-process mock cluster as a stand-alone process for tests.
 *
 *   mock-kafka [-b BROKERS] [TOPIC:PARTITIONS ...]
 *
 * Starts rd_kafka_mock_cluster_new() with BROKERS brokers (default 3), creates each topic with
 * rd_kafka_mock_topic_create() (the mock has no CreateTopics admin API, and Debian's 2.0.2 reports
 * controller id 0, so kafkajs admin.createTopics cannot be used), prints one line
 * "BOOTSTRAP host:port,host:port,..." on stdout, and stays up until stdin reaches EOF or it gets
 * SIGTERM/SIGINT. Errors go to stderr with a non-zero exit code.
 *
 * Build: gcc -O2 -Wall -o mock-kafka mock-kafka.c -lrdkafka   (mock-kafka.ts beside it does it)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static int parse_topic(const char *arg, char *name, size_t name_size, int *partitions) {
  const char *colon = strrchr(arg, ':');
  size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
  char *end = NULL;
  long n = 1;
  if (len == 0 || len >= name_size) return -1;
  if (colon) {
    errno = 0;
    n = strtol(colon + 1, &end, 10);
    if (errno != 0 || *end != '\0' || n < 1 || n > 10000) return -1;
  }
  memcpy(name, arg, len);
  name[len] = '\0';
  *partitions = (int)n;
  return 0;
}

int main(int argc, char **argv) {
  int brokers = 3;
  int opt;
  char errstr[512];
  while ((opt = getopt(argc, argv, "b:")) != -1) {
    if (opt == 'b') {
      brokers = atoi(optarg);
    } else {
      fprintf(stderr, "usage: %s [-b BROKERS] [TOPIC:PARTITIONS ...]\n", argv[0]);
      return 2;
    }
  }
  if (brokers < 1 || brokers > 32) {
    fprintf(stderr, "mock-kafka: -b must be 1..32, got %d\n", brokers);
    return 2;
  }

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mock-kafka: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "mock-kafka: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) {
    fprintf(stderr, "mock-kafka: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  for (int i = optind; i < argc; i++) {
    char name[256];
    int partitions = 1;
    if (parse_topic(argv[i], name, sizeof name, &partitions) != 0) {
      fprintf(stderr, "mock-kafka: bad topic \"%s\", expected NAME:PARTITIONS (1..10000)\n", argv[i]);
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 2;
    }
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mcluster, name, partitions, brokers < 3 ? brokers : 3);
    if (err) {
      fprintf(stderr, "mock-kafka: topic %s: %s\n", name, rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: read() below returns EINTR */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  char buf[256];
  while (!stop_requested) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno != EINTR) break;
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
