/*
 * home.c - opening the home folder's database for a subcommand, making it on
 * first use, and the clock in New York time; see cli.h.
 *
 * A new database is built under a temporary name and linked into place, so
 * another papertrade never sees a half-made file, and two first runs at once
 * cannot step on each other: link() fails for the second, which then opens
 * the first's. The account itself is created inside the first run's
 * transaction, so a run that fails leaves no portfolio behind.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../book/book.h"
#include "../market/calendar.h"
#include "../store/store.h"
#include "../util/date.h"
#include "../util/util.h"

static void unlink_db(const char *path)
{
	char side[PATH_MAX + 8];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

/* Whether path's WAL holds anything. */
static int wal_left(const char *path)
{
	char wal[PATH_MAX + 8];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return stat(wal, &sb) == 0 && sb.st_size > 0;
}

/*
 * Removes what killed first runs left: papertrade.db.new-PID (and its -wal,
 * -shm and -journal: SQLite journals the switch to WAL) whose process is
 * gone. One that is alive is creating the
 * database now and keeps its files.
 */
static void remove_stray_new(const char *home)
{
	static const char prefix[] = "papertrade.db.new-";
	DIR *d = opendir(home);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end, path[PATH_MAX];
		long pid;

		if (strncmp(e->d_name, prefix, sizeof(prefix) - 1) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + sizeof(prefix) - 1, &end, 10);
		if (errno || pid <= 0 || pid > INT_MAX ||
		    (*end && strcmp(end, "-wal") != 0 && strcmp(end, "-shm") != 0 &&
		     strcmp(end, "-journal") != 0))
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to judge */
		if (snprintf(path, sizeof(path), "%s/%s", home, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
}

/* Makes the database at db with its schema, atomically; an existing one wins. */
static int create_db(const char *db, char *err)
{
	char tmp[PATH_MAX];
	struct store *st;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.new-%ld", db, (long)getpid()) >= (int)sizeof(tmp))
		return pt_err(err, PT_EINVAL, "path too long: %s", db);
	unlink_db(tmp);
	if ((rc = store_open(tmp, 1, &st, err))) {
		unlink_db(tmp);
		return rc;
	}
	/* The schema is committed to the WAL; the file linked into place must
	 * hold it alone (a full disk can fail the checkpoint, and the WAL is
	 * removed below). */
	rc = store_checkpoint(st, err);
	store_close(st);
	if (!rc && wal_left(tmp))
		rc = pt_err(err, PT_EIO, "%s: its write-ahead log was not emptied", tmp);
	if (rc) {
		unlink_db(tmp);
		return rc;
	}
	rc = link(tmp, db) && errno != EEXIST ? -1 : 0;
	if (rc)
		pt_err(err, PT_EIO, "cannot create %s: %s", db, strerror(errno));
	unlink_db(tmp);
	return rc ? PT_EIO : 0;
}

int cli_open_store(const struct cli_ctx *ctx, int create, struct store **st)
{
	char db[PATH_MAX], ini[PATH_MAX], err[PT_ERRSZ];
	struct stat sb;
	int had_home, had_ini;

	*st = NULL;
	if (cli_home_file(ctx, "papertrade.db", db, sizeof(db)) ||
	    cli_home_file(ctx, "papertrade.ini", ini, sizeof(ini))) {
		cli_error("home", "path too long: %s", ctx->home);
		return -1;
	}
	remove_stray_new(ctx->home);
	if (stat(db, &sb) != 0) {
		if (!create) {
			cli_error(ctx->home, "no portfolio here; run 'papertrade init' or 'papertrade run'");
			return -1;
		}
		had_home = stat(ctx->home, &sb) == 0;
		if (cli_make_home(ctx, err)) {
			cli_error("home", "%s", err);
			return -1;
		}
		had_ini = stat(ini, &sb) == 0;
		if (!had_ini && config_write_default(ini, err) && stat(ini, &sb) != 0) {
			cli_error("config", "%s", err);
			return -1;
		}
		if (create_db(db, err)) {
			/* leave the home as it was: no config or folder of ours */
			if (!had_ini)
				unlink(ini);
			if (!had_home)
				rmdir(ctx->home);
			cli_error("store", "%s", err);
			return -1;
		}
	}
	if (store_open(db, 0, st, err)) {
		cli_error("store", "%s", err);
		return -1;
	}
	return 0;
}

int cli_open_home_store(void *ctx, struct store **st)
{
	return cli_open_store(ctx, 1, st);
}

int cli_open_portfolio(const struct cli_ctx *ctx, struct store **st, struct portfolio *pf)
{
	char err[PT_ERRSZ];
	int rc;

	if (cli_open_store(ctx, 0, st))
		return -1;
	book_init(pf, 0);
	rc = store_load(*st, pf, err);
	if (rc) {
		if (rc == PT_ENOENT)
			cli_error(ctx->home, "no portfolio here; run 'papertrade init' or 'papertrade run'");
		else
			cli_error("store", "%s", err);
		book_release(pf);
		store_close(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

static int two_digits(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

int cli_now_ny(int *day, int *minute)
{
	const char *e = getenv("PAPERTRADE_NOW");
	int sec;

	if (e && *e) {
		char d[DATE_BUFSZ];
		int h, m;
		if (strlen(e) != 16 || e[10] != 'T' || e[13] != ':' || two_digits(e + 11, &h) ||
		    two_digits(e + 14, &m) || h > 23 || m > 59) {
			cli_error("PAPERTRADE_NOW", "want YYYY-MM-DDTHH:MM (New York time)");
			return -1;
		}
		memcpy(d, e, 10);
		d[10] = '\0';
		if (date_parse(d, day)) {
			cli_error("PAPERTRADE_NOW", "not a date: %s", d);
			return -1;
		}
		*minute = h * 60 + m;
		return 0;
	}
	cal_epoch_to_ny((int64_t)time(NULL), day, &sec);
	*minute = sec / 60;
	return 0;
}

int64_t cli_now_epoch(void)
{
	int day, minute;
	int64_t t;

	if (getenv("PAPERTRADE_NOW") && !cli_now_ny(&day, &minute) &&
	    !cal_ny_to_epoch(day, minute, &t))
		return t;
	return (int64_t)time(NULL);
}
