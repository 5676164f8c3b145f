/*
 * runlog.h - every attempt at a daily run, with its outcome (issue 10: a
 * failed scheduled run must not be invisible). One JSON object a line in
 * runs.log in the home folder, beside papertrade.db but outside it, so a
 * failed run leaves the portfolio's store exactly as it was. The file is
 * kept small: past RUNLOG_MAX_BYTES it is cut to its newest half.
 *
 * A line: {"at": Unix time, "at_ny": "YYYY-MM-DDTHH:MM", "session":
 * "YYYY-MM-DD", "trigger": "scheduled" | "if-due" | "manual", "ok": bool,
 * "message": "..."}.
 */
#ifndef PT_RUNLOG_H
#define PT_RUNLOG_H

#include <stdint.h>

#include "util/util.h"

#define RUNLOG_NAME "runs.log"
#define RUNLOG_MAX_BYTES 262144L /* 256 KiB */
#define RUNLOG_MSGSZ (2 * PT_ERRSZ)

struct runlog_entry {
	int64_t at;		    /* Unix time of the attempt */
	int session;		    /* the session it ran or tried to run (day number) */
	char trigger[16];	    /* "scheduled", "if-due", "manual" */
	int ok;			    /* 1 when it ran */
	char message[RUNLOG_MSGSZ]; /* what happened, one line */
};

/*
 * Appends e to HOME/runs.log (created 0600), trimming the file first when
 * it has grown past RUNLOG_MAX_BYTES. Returns 0, or PT_EIO with err.
 */
int runlog_append(const char *home, const struct runlog_entry *e, char *err);

/*
 * The newest entry of HOME/runs.log into *e. Returns 0, PT_ENOENT when
 * there is none (no file, or no readable line), PT_EIO when the file
 * cannot be read.
 */
int runlog_last(const char *home, struct runlog_entry *e, char *err);

/* runlog_append of one attempt; a failure to log is said on stderr and
 * never fails the run. */
void runlog_note(const char *home, const char *trigger, int64_t at, int session, int ok,
		 const char *message);

#endif
