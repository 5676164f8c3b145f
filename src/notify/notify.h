/*
 * notify.h - telling the user what a run did (issue 10, the brief's "Add
 * Email Notifications"): an email through libcurl's SMTP (SMTPS, or
 * STARTTLS required unless turned off for a local relay) and a generic
 * command given the report JSON on stdin. A failure to notify is returned
 * to be reported; it never fails the run. The password is never printed:
 * no error message, log line or command line carries it.
 */
#ifndef PT_NOTIFY_H
#define PT_NOTIFY_H

#include <stddef.h>

struct config;

#define NOTIFY_COMMAND_LIMIT 60 /* seconds notify_command may take */

/* What happened, for every channel. */
struct notify_msg {
	int ok;		     /* 1: a run; 0: a failure */
	const char *subject; /* one line */
	const char *text;    /* the body of the email: the report, or the failure */
	const char *json;    /* notify_command's stdin */
};

/* 1 when cfg wants a notification for an outcome (ok or not). */
int notify_wanted(const struct config *cfg, int ok);

/*
 * Sends m to cfg's channels: email when smtp_url is set, notify_command
 * when it is set. Returns 0, or PT_EIO with err saying which channel
 * failed and why (both, when both did).
 */
int notify_send(const struct config *cfg, const struct notify_msg *m, char *err);

/*
 * The password for cfg's smtp_username into buf (n bytes): the first line
 * of smtp_password_file, which must be a regular file not readable by
 * group or others, else $PAPERTRADE_SMTP_PASSWORD. Returns 0, PT_ENOENT
 * when neither is set, PT_EINVAL (unsafe mode, too long) or PT_EIO with
 * err (never containing the password).
 */
int notify_password(const struct config *cfg, char *buf, size_t n, char *err);

#endif
