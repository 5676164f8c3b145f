/*
 * notify.c - email through libcurl's SMTP and notify_command; see notify.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "notify.h"

extern char **environ;
#include "../config.h"
#include "../util/util.h"

#define SMTP_TIMEOUT 60L /* seconds for the whole exchange */
#define PASSWORD_MAX 512

int notify_wanted(const struct config *cfg, int ok)
{
	if (!cfg->smtp_url[0] && !cfg->notify_command[0])
		return 0;
	return cfg->notify_on == NOTIFY_ALWAYS || (cfg->notify_on == NOTIFY_FAILURES && !ok);
}

int notify_password(const struct config *cfg, char *buf, size_t n, char *err)
{
	const char *env = getenv("PAPERTRADE_SMTP_PASSWORD");
	const char *path = cfg->smtp_password_file;
	struct stat st;
	size_t len;
	ssize_t got;
	int fd;

	buf[0] = '\0';
	if (!path[0]) {
		if (!env || !*env)
			return PT_ENOENT;
		if (pt_strlcpy(buf, env, n))
			return pt_err(err, PT_EINVAL, "PAPERTRADE_SMTP_PASSWORD: too long");
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK); /* a FIFO: no hang */
	if (fd < 0)
		return pt_err(err, PT_EIO, "smtp_password_file: %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return pt_err(err, PT_EINVAL, "smtp_password_file: %s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return pt_err(err, PT_EINVAL,
			      "smtp_password_file: %s: readable by others (chmod 600 it)", path);
	}
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return pt_err(err, PT_EIO, "smtp_password_file: %s: %s", path, strerror(errno));
	buf[got] = '\0';
	len = strcspn(buf, "\r\n");
	if (buf[len] == '\0' && (size_t)got == n - 1) {
		explicit_bzero(buf, n);
		return pt_err(err, PT_EINVAL, "smtp_password_file: %s: longer than %zu characters",
			      path, n - 2);
	}
	buf[len] = '\0';
	return 0;
}

/* ---- email ---- */

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nmemb, left = u->len - u->off;

	if (room > left)
		room = left;
	memcpy(ptr, u->data + u->off, room);
	u->off += room;
	return room;
}

/* The message: headers, a blank line, the body with bare LFs as CRLF. */
static void build_message(const struct config *cfg, const struct notify_msg *m, struct sbuf *out)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	const char *p;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	sb_addf(out, "Date: %s\r\n", date);
	sb_addf(out, "From: %s\r\n", cfg->smtp_from);
	sb_addf(out, "To: %s\r\n", cfg->smtp_to);
	/* a subject is one line whatever the message said */
	sb_addf(out, "Subject: ");
	for (p = m->subject; *p; p++)
		sb_add(out, (unsigned char)*p < ' ' ? " " : p, 1);
	sb_addf(out, "\r\n");
	sb_addf(out, "MIME-Version: 1.0\r\n");
	sb_addf(out, "Content-Type: text/plain; charset=utf-8\r\n");
	sb_addf(out, "Content-Transfer-Encoding: 8bit\r\n\r\n");
	for (p = m->text; *p; p++) {
		if (*p == '\n' && (p == m->text || p[-1] != '\r'))
			sb_add(out, "\r", 1);
		sb_add(out, p, 1);
	}
	sb_addf(out, "\r\n");
}

static int send_email(const struct config *cfg, const struct notify_msg *m, char *err)
{
	char password[PASSWORD_MAX], addr[CFG_URLSZ], cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *rcpt = NULL;
	struct upload up;
	struct sbuf msg;
	CURLcode cc;
	CURL *h;
	int rc = 0, prc;
	char *p, *save = NULL;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return pt_err(err, PT_EIO, "email: cannot start libcurl");
	h = curl_easy_init();
	if (!h)
		return pt_err(err, PT_EIO, "email: cannot start libcurl");
	password[0] = '\0';
	if (cfg->smtp_username[0]) {
		prc = notify_password(cfg, password, sizeof(password), err);
		if (prc == PT_ENOENT) {
			curl_easy_cleanup(h);
			return pt_err(err, PT_EINVAL,
				      "email: smtp_username is set but there is no password "
				      "(smtp_password_file or PAPERTRADE_SMTP_PASSWORD)");
		}
		if (prc) {
			curl_easy_cleanup(h);
			return prc;
		}
	}
	pt_strlcpy(addr, cfg->smtp_to, sizeof(addr));
	for (p = strtok_r(addr, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (*p)
			rcpt = curl_slist_append(rcpt, p);
	}
	sb_init(&msg, 64u << 20);
	build_message(cfg, m, &msg);
	up.data = sb_str(&msg);
	up.len = msg.len;
	up.off = 0;
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (!strncmp(cfg->smtp_url, "smtp://", 7))
		curl_easy_setopt(h, CURLOPT_USE_SSL,
				 cfg->smtp_starttls == STARTTLS_REQUIRED ? (long)CURLUSESSL_ALL
									 : (long)CURLUSESSL_NONE);
	if (cfg->smtp_ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_username[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, password);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, cfg->smtp_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, SMTP_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK)
		rc = pt_err(err, PT_EIO, "email to %s: %s", cfg->smtp_url,
			    cerr[0] ? cerr : curl_easy_strerror(cc));
	explicit_bzero(password, sizeof(password));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	sb_release(&msg);
	return rc;
}

/* ---- notify_command ---- */

/* Waits for pid up to deadline (CLOCK_MONOTONIC seconds); kills it then. */
static int wait_for(pid_t pid, time_t deadline, int *status)
{
	struct timespec now, nap = {0, 50000000L}; /* 50 ms */

	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return 1;
		}
		nanosleep(&nap, NULL);
	}
}

static int run_command(const struct config *cfg, const struct notify_msg *m, char *err)
{
	const char *json = m->json ? m->json : "{}";
	size_t len = strlen(json), off = 0;
	struct timespec t0;
	int fds[2], status = 0, timed_out;
	pid_t pid;

	char **env, *subject;
	size_t n = 0, k = 0;

	/* The child's environment, made before fork (the parent may have
	 * threads): ours without the password, with the outcome. */
	while (environ[n])
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "PAPERTRADE_SMTP_PASSWORD=", 25) != 0 &&
		    strncmp(environ[i], "PAPERTRADE_NOTIFY_", 18) != 0)
			env[k++] = environ[i];
	env[k++] = m->ok ? "PAPERTRADE_NOTIFY_OK=1" : "PAPERTRADE_NOTIFY_OK=0";
	subject = xmalloc(strlen(m->subject) + 32);
	snprintf(subject, strlen(m->subject) + 32, "PAPERTRADE_NOTIFY_SUBJECT=%s", m->subject);
	env[k++] = subject;
	if (pipe2(fds, O_CLOEXEC)) {
		free(env);
		free(subject);
		return pt_err(err, PT_EIO, "notify_command: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		free(env);
		free(subject);
		return pt_err(err, PT_EIO, "notify_command: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		execle("/bin/sh", "sh", "-c", cfg->notify_command, (char *)NULL, env);
		_exit(127);
	}
	free(env);
	free(subject);
	close(fds[0]);
	/* a command that does not read its input must not block us */
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off < len) {
		struct pollfd pfd = {fds[1], POLLOUT, 0};
		ssize_t w;
		if (poll(&pfd, 1, 1000) <= 0) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec >= NOTIFY_COMMAND_LIMIT)
				break;
			continue;
		}
		w = write(fds[1], json + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fds[1]);
	timed_out = wait_for(pid, t0.tv_sec + NOTIFY_COMMAND_LIMIT, &status);
	if (timed_out > 0)
		return pt_err(err, PT_EIO, "notify_command: killed after %d s",
			      NOTIFY_COMMAND_LIMIT);
	if (timed_out < 0)
		return pt_err(err, PT_EIO, "notify_command: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return pt_err(err, PT_EIO, "notify_command: exited with status %d",
			      WEXITSTATUS(status));
	return pt_err(err, PT_EIO, "notify_command: killed by signal %d", WTERMSIG(status));
}

int notify_send(const struct config *cfg, const struct notify_msg *m, char *err)
{
	char e1[PT_ERRSZ] = "", e2[PT_ERRSZ] = "";
	int r1 = 0, r2 = 0;

	if (cfg->smtp_url[0])
		r1 = send_email(cfg, m, e1);
	if (cfg->notify_command[0])
		r2 = run_command(cfg, m, e2);
	if (r1 && r2)
		return pt_err(err, PT_EIO, "%.120s; %.120s", e1, e2);
	if (r1 || r2)
		return pt_err(err, PT_EIO, "%s", r1 ? e1 : e2);
	return 0;
}
