/*
 * test_store.c - unit tests of store/ (DESIGN.md §1 "store: load", "append
 * events, commit"; §5 export/import): open/create checks that never touch a
 * file that is not ours, save/load round trips field by field, transactions
 * and the write lock; and brief/'s portfolio_data.json export/import with
 * hostile input (here, to share the portfolios built for the store, and to
 * go through the store once).
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "book/book.h"
#include "brief/brief.h"
#include "tape/tape.h"
#include "util/date.h"
#include "util/util.h"

struct env {
	char dir[64];
	char db[128];
};

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof(*e));

	snprintf(e->dir, sizeof(e->dir), "/tmp/pt-store-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/papertrade.db", e->dir);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	struct dirent *de;
	DIR *d = opendir(e->dir);
	char p[512];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", e->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(e->dir);
	free(e);
	return 0;
}

static int day(const char *s)
{
	int d = 0;

	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

static struct store *open_ok(const char *path, int create)
{
	struct store *s = NULL;
	char err[PT_ERRSZ] = "";
	int rc = store_open(path, create, &s, err);

	if (rc)
		print_error("store_open: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

/* ---- building and comparing portfolios ---------------------------------- */

static void add_snapshot(struct portfolio *pf, int session)
{
	struct snapshot sn;
	int64_t bench[8];
	size_t j;

	memset(&sn, 0, sizeof(sn));
	sn.session = session;
	sn.cash_cents = pf->cash_cents;
	sn.positions_cents = book_positions_value_cents(pf);
	sn.value_cents = sn.cash_cents + sn.positions_cents;
	sn.margin_cents = 12345 + session % 7;
	sn.call_cents = session % 3 ? 0 : 678;
	sn.rate = 0.0425;
	sn.cash_rate = session % 2 ? NAN : 0.0375;
	pf->interest_carry = -0.25 + (double)(session % 5) / 10.0;
	for (j = 0; j < pf->n_bench; j++)
		bench[j] = pt_cents(pf->bench[j].shares * pf->bench[j].price) + (int64_t)j;
	book_add_snapshot(pf, &sn, bench);
	pf->last_session = session;
	pf->events_through = session;
}

/* Session 1: two short calls (one fractional), shares, a dividend, benchmarks. */
static void build_session1(struct portfolio *pf)
{
	int d1 = day("2024-11-21"), exp = day("2024-12-20");
	struct position *p;

	book_init(pf, 100000);
	pf->bench = xcalloc(2, sizeof(*pf->bench));
	pf->n_bench = 2;
	pt_strlcpy(pf->bench[0].ticker, "SPY", BOOK_SYMSZ);
	pf->bench[0].shares = 1000.0 / 590.13;
	pf->bench[0].price = 590.13;
	pt_strlcpy(pf->bench[1].ticker, "QQQ", BOOK_SYMSZ);
	pf->bench[1].shares = 1000.0 / 503.17;
	pf->bench[1].price = 503.17;
	pf->start = d1;

	p = book_open(pf, d1, "SPY", 'C', 605, exp, -2, 3.5, 0.65);
	p->entry_spot = 590.13;
	p->entry_iv = 0.2134567891234;
	p->entry_hv = 0.151;
	p->entry_theo = 3.1;
	p->mark = 3.27;
	p->mark_model = 1;
	pt_strlcpy(p->strategy, "volarb", sizeof(p->strategy));
	p = book_open(pf, d1, "QQQ", 'C', 520.5, exp, -0.3711, 2.13, 0.65);
	p->entry_iv = 0.25; /* the others stay NaN */
	pt_strlcpy(p->strategy, "volarb", sizeof(p->strategy));
	book_open(pf, d1, "VTI", 'S', 0, 0, 1.5, 290.33, 0);
	add_snapshot(pf, d1);
}

/* Session 2: one call expires worthless, a dividend, another call sold. */
static void build_session2(struct portfolio *pf)
{
	int d2 = day("2024-11-22"), exp = day("2024-12-27");
	struct position *p;

	book_close(pf, &pf->pos[1], d2, 0, "expired", 0);
	book_post(pf, d2, pf->pos[2].id, "dividend", 55, "dividend on VTI");
	pf->income_cents += 55;
	p = book_open(pf, d2, "SPY", 'P', 560, exp, -1, 1.25, 0.65);
	p->mark = 1.4;
	pt_strlcpy(p->strategy, "csp", sizeof(p->strategy));
	pf->bench[0].price = 592.5;
	pf->bench[1].price = 505.25;
	add_snapshot(pf, d2);
}

static void assert_double_same(double a, double b)
{
	if (isnan(a) || isnan(b)) {
		assert_true(isnan(a) && isnan(b));
		return;
	}
	assert_true(a == b);
}

static void assert_pf_equal(const struct portfolio *a, const struct portfolio *b)
{
	size_t i;

	assert_int_equal(a->initial_cents, b->initial_cents);
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->last_session, b->last_session);
	assert_int_equal(a->events_through, b->events_through);
	assert_int_equal(a->cash_cents, b->cash_cents);
	assert_int_equal(a->income_cents, b->income_cents);
	assert_int_equal(a->next_pos_id, b->next_pos_id);
	assert_int_equal(a->next_ledger_id, b->next_ledger_id);

	assert_int_equal(a->n_pos, b->n_pos);
	for (i = 0; i < a->n_pos; i++) {
		const struct position *p = &a->pos[i], *q = &b->pos[i];
		assert_int_equal(p->id, q->id);
		assert_string_equal(p->ticker, q->ticker);
		assert_int_equal(p->right, q->right);
		assert_double_same(p->strike, q->strike);
		assert_int_equal(p->expiry, q->expiry);
		assert_double_same(p->quantity, q->quantity);
		assert_double_same(p->entry_price, q->entry_price);
		assert_int_equal(p->opened, q->opened);
		assert_int_equal(p->credit_cents, q->credit_cents);
		assert_double_same(p->mark, q->mark);
		assert_int_equal(p->mark_model, q->mark_model);
		assert_double_same(p->entry_spot, q->entry_spot);
		assert_double_same(p->entry_iv, q->entry_iv);
		assert_double_same(p->entry_hv, q->entry_hv);
		assert_double_same(p->entry_theo, q->entry_theo);
		assert_int_equal(p->closed, q->closed);
		assert_double_same(p->exit_price, q->exit_price);
		assert_int_equal(p->close_cents, q->close_cents);
		assert_string_equal(p->reason, q->reason);
		assert_string_equal(p->strategy, q->strategy);
	}
	assert_int_equal(a->n_ledger, b->n_ledger);
	for (i = 0; i < a->n_ledger; i++) {
		const struct ledger_entry *x = &a->ledger[i], *y = &b->ledger[i];
		assert_int_equal(x->id, y->id);
		assert_int_equal(x->session, y->session);
		assert_int_equal(x->position_id, y->position_id);
		assert_string_equal(x->kind, y->kind);
		assert_int_equal(x->cents, y->cents);
		assert_string_equal(x->memo, y->memo);
	}
	assert_int_equal(a->n_bench, b->n_bench);
	for (i = 0; i < a->n_bench; i++) {
		assert_string_equal(a->bench[i].ticker, b->bench[i].ticker);
		assert_double_same(a->bench[i].shares, b->bench[i].shares);
		assert_double_same(a->bench[i].price, b->bench[i].price);
	}
	assert_int_equal(a->n_snaps, b->n_snaps);
	for (i = 0; i < a->n_snaps; i++) {
		assert_int_equal(a->snaps[i].session, b->snaps[i].session);
		assert_int_equal(a->snaps[i].cash_cents, b->snaps[i].cash_cents);
		assert_int_equal(a->snaps[i].positions_cents, b->snaps[i].positions_cents);
		assert_int_equal(a->snaps[i].value_cents, b->snaps[i].value_cents);
		assert_int_equal(a->snaps[i].margin_cents, b->snaps[i].margin_cents);
		assert_int_equal(a->snaps[i].call_cents, b->snaps[i].call_cents);
		assert_double_same(a->snaps[i].cash_rate, b->snaps[i].cash_rate);
	}
	assert_double_same(a->interest_carry, b->interest_carry);
	for (i = 0; i < a->n_snaps * a->n_bench; i++)
		assert_int_equal(a->snap_bench[i], b->snap_bench[i]);
}

static void load_into(struct store *s, struct portfolio *pf)
{
	char err[PT_ERRSZ] = "";
	int rc;

	book_init(pf, 0);
	rc = store_load(s, pf, err);
	if (rc)
		print_error("store_load: %s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(pf->ledger_saved, pf->n_ledger);
}

/* Saves the run of the last snapshot's session in one transaction. */
static void save_run(struct store *s, struct portfolio *pf, const char *text)
{
	char err[PT_ERRSZ] = "";
	int session = pf->snaps[pf->n_snaps - 1].session;
	int rc;

	assert_int_equal(store_begin(s, err), 0);
	rc = store_save_run(s, pf, session, "sim", text, "{\"ok\":true}", err);
	if (rc)
		print_error("store_save_run: %s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(store_commit(s, err), 0);
	pf->ledger_saved = pf->n_ledger;
}

static struct store *new_store(const char *path, int64_t initial)
{
	char err[PT_ERRSZ] = "";
	struct store *s = open_ok(path, 1);

	assert_int_equal(store_init_account(s, initial, err), 0);
	return s;
}

/* ---- files: open, create, reopen, refuse ---------------------------------- */

static void test_missing_file(void **state)
{
	struct env *e = *state;
	struct store *s = NULL;
	char err[PT_ERRSZ] = "";
	struct stat st;

	assert_int_equal(store_open(e->db, 0, &s, err), PT_ENOENT);
	assert_null(s);
	assert_non_null(strstr(err, "no portfolio at"));
	assert_non_null(strstr(err, "papertrade init"));
	assert_int_not_equal(stat(e->db, &st), 0); /* not created */
}

static int raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_create_reopen(void **state)
{
	struct env *e = *state;
	struct store *s;
	struct portfolio pf;
	char err[PT_ERRSZ] = "";

	s = new_store(e->db, 250000);
	assert_int_equal(store_init_account(s, 1, err), PT_EINVAL);
	assert_non_null(strstr(err, "already"));
	store_close(s);

	assert_int_equal(raw_int(e->db, "PRAGMA user_version"), 6);
	assert_int_equal(raw_int(e->db, "PRAGMA application_id"), 0x50547264);
	assert_int_equal(raw_int(e->db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"),
	                 9); /* 7 + the two tape tables of version 3 */

	s = open_ok(e->db, 0);
	load_into(s, &pf);
	assert_int_equal(pf.initial_cents, 250000);
	assert_int_equal(pf.cash_cents, 250000);
	assert_int_equal(pf.next_pos_id, 1);
	assert_int_equal(pf.n_pos + pf.n_ledger + pf.n_snaps + pf.n_bench, 0);
	book_release(&pf);
	store_close(s);

	/* create = 1 on an existing database opens it as it is. */
	s = open_ok(e->db, 1);
	load_into(s, &pf);
	assert_int_equal(pf.initial_cents, 250000);
	book_release(&pf);
	store_close(s);
}

static void test_load_without_account(void **state)
{
	struct env *e = *state;
	struct store *s = open_ok(e->db, 1);
	struct portfolio pf;
	char err[PT_ERRSZ] = "";

	book_init(&pf, 0);
	assert_int_equal(store_load(s, &pf, err), PT_ENOENT);
	assert_non_null(strstr(err, "papertrade init"));
	book_release(&pf);
	store_close(s);
}

/* ---- save and load ------------------------------------------------------- */

/* The columns of schema 5 dropped: a file of schema 4, as it was. */
#define UNDO_5 \
	"ALTER TABLE snapshots DROP COLUMN call_cents; " \
	"ALTER TABLE snapshots DROP COLUMN cash_rate; " \
	"ALTER TABLE account DROP COLUMN interest_carry; "

/* Undoes migration 6's columns (the rows' bodies with them). */
#define UNDO_V6                                                                              \
	"DELETE FROM runs; ALTER TABLE runs DROP COLUMN text_len; "                          \
	"ALTER TABLE runs DROP COLUMN text_z; ALTER TABLE runs DROP COLUMN json_len; "       \
	"ALTER TABLE runs DROP COLUMN json_z; "

/* Saves session 1 into a new store, turns the file back into an older
 * schema with undo_sql, reopens it (which migrates it to the current
 * schema) and loads it into back; pf is the portfolio saved. */
static struct store *saved_downgraded(struct env *e, const char *undo_sql, struct portfolio *pf,
				      struct portfolio *back)
{
	struct store *s = new_store(e->db, 100000);

	build_session1(pf);
	save_run(s, pf, "report one");
	store_close(s);
	raw_exec(e->db, undo_sql);
	s = open_ok(e->db, 0);
	assert_int_equal(raw_int(e->db, "PRAGMA user_version"), 6);
	load_into(s, back);
	return s;
}

/* A file of schema 3, before positions recorded their strategy: opening it
 * migrates it, and every option position is volarb's, the only strategy
 * there was; shares have none. */
static void test_migrate_strategy(void **state)
{
	struct portfolio pf, back;
	struct store *s = saved_downgraded(*state,
					   UNDO_V6 "ALTER TABLE positions DROP COLUMN strategy; " UNDO_5
					   "PRAGMA user_version = 3",
					   &pf, &back);
	size_t i;

	assert_int_equal(back.n_pos, pf.n_pos);
	for (i = 0; i < back.n_pos; i++)
		assert_string_equal(back.pos[i].strategy, back.pos[i].right == 'S' ? "" : "volarb");
	store_close(s);
	book_release(&back);
	book_release(&pf);
}

/* A file of schema 4, before the margin account and interest on cash:
 * opening it migrates it; no call outstanding, the rate cash earned
 * unknown (Sharpe falls back to the risk-free rate), nothing carried. */
static void test_migrate_margin(void **state)
{
	struct portfolio pf, back;
	struct store *s = saved_downgraded(*state, UNDO_V6 UNDO_5 "PRAGMA user_version = 4", &pf, &back);
	size_t i;

	assert_int_equal(back.n_snaps, pf.n_snaps);
	for (i = 0; i < back.n_snaps; i++) {
		assert_int_equal(back.snaps[i].call_cents, 0);
		assert_true(isnan(back.snaps[i].cash_rate));
		assert_int_equal(back.snaps[i].margin_cents, pf.snaps[i].margin_cents);
	}
	assert_true(back.interest_carry == 0);
	store_close(s);
	book_release(&back);
	book_release(&pf);
}

static char *slurp(const char *path, size_t *len);
static void spit(const char *path, const char *buf, size_t len);


/* Migration 6 keeps of each stored report only the run's own part, the
 * text up to the summary and the JSON's "run" object, compressed (issue
 * 10). */
static void test_migrate_slim_runs(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "", *text = NULL, *json = NULL;
	int d1 = day("2024-11-21");

	build_session1(&pf);
	save_run(s, &pf, "report one");
	build_session2(&pf);
	save_run(s, &pf, "report two");
	store_close(s);
	/* Schema 5: the whole report in plain columns. */
	raw_exec(e->db,
		 UNDO_V6 "INSERT INTO runs (session, provider, started_at, report_text, report_json) "
		 "VALUES ('2024-11-21', 'sim', 1, "
		 "'===\nDAILY PAPER TRADING UPDATE\nExecuted 1 new trade today\n\n' || "
		 "'======================================================================' || "
		 "char(10) || 'DAILY PORTFOLIO REPORT' || char(10) || 'Closed Trades: 2' || char(10), "
		 "'{\"session\":\"2024-11-21\",\"closed_trades\":[{\"pnl\":1.5}],"
		 "\"run\":{\"trades\":[{\"id\":1,\"price\":3.5}],\"notes\":\"\"}}'), "
		 "('2024-11-22', 'sim', 2, 'a report with no summary', '{\"ok\":true}'); "
		 "PRAGMA user_version = 5");

	s = open_ok(e->db, 0);
	assert_int_equal(raw_int(e->db, "PRAGMA user_version"), 6);
	assert_int_equal(raw_int(e->db, "SELECT count(*) FROM runs WHERE report_text IS NULL AND "
					"report_json IS NULL AND text_z IS NOT NULL"),
			 2);
	assert_int_equal(store_get_report(s, d1, &text, &json, err), 0);
	assert_string_equal(text, "===\nDAILY PAPER TRADING UPDATE\nExecuted 1 new trade today\n\n");
	assert_string_equal(json, "{\"trades\":[{\"id\":1,\"price\":3.5}],\"notes\":\"\"}");
	free(text);
	free(json);
	/* A body of another shape is kept as it was. */
	assert_int_equal(store_get_report(s, 0, &text, &json, err), 0);
	assert_string_equal(text, "a report with no summary");
	assert_string_equal(json, "{\"ok\":true}");
	free(text);
	free(json);
	book_release(&pf);
	store_close(s);
}

/* A stored body that does not inflate to its length is a corrupt row. */
static void test_run_body_damaged(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "", *text = NULL, *json = NULL;

	build_session1(&pf);
	save_run(s, &pf, "report one");
	assert_true(raw_int(e->db, "SELECT text_len FROM runs") == 10);
	assert_true(raw_int(e->db, "SELECT length(text_z) FROM runs") > 0);
	raw_exec(e->db, "UPDATE runs SET text_len = 11");
	assert_int_equal(store_get_report(s, 0, &text, &json, err), PT_EIO);
	assert_non_null(strstr(err, "corrupt row in runs"));
	assert_null(text);
	raw_exec(e->db, "UPDATE runs SET text_len = 10, text_z = x'00'");
	assert_int_equal(store_get_report(s, 0, &text, &json, err), PT_EIO);
	book_release(&pf);
	store_close(s);
}

/* A run writes the positions that can have changed (open ones, those closed
 * since the previous run), not every position ever held (issue 10): a row
 * closed before the previous run is not written again, so an edit made to
 * it behind the store's back survives the next run. */
static void test_run_saves_position_delta(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf, back;
	char sql[128];
	int64_t closed_id;

	build_session1(&pf);
	save_run(s, &pf, "one");
	build_session2(&pf); /* closes pos[1] on 2024-11-22 */
	closed_id = pf.pos[1].id;
	save_run(s, &pf, "two");
	add_snapshot(&pf, day("2024-11-25"));
	save_run(s, &pf, "three");

	snprintf(sql, sizeof(sql), "UPDATE positions SET reason = 'behind' WHERE id = %lld",
		 (long long)closed_id);
	raw_exec(e->db, sql);
	pf.pos[0].mark = 4.75; /* an open position's mark moves */
	add_snapshot(&pf, day("2024-11-26"));
	save_run(s, &pf, "four");

	load_into(s, &back);
	assert_string_equal(back.pos[1].reason, "behind");
	assert_true(back.pos[0].mark == 4.75);
	assert_int_equal(back.n_snaps, 4);
	book_release(&back);
	/* import writes them all. */
	{
		char err[PT_ERRSZ] = "";

		assert_int_equal(store_begin(s, err), 0);
		assert_int_equal(store_save_portfolio(s, &pf, err), 0);
		assert_int_equal(store_commit(s, err), 0);
	}
	load_into(s, &back);
	assert_string_equal(back.pos[1].reason, "expired");
	assert_pf_equal(&pf, &back);
	book_release(&back);
	book_release(&pf);
	store_close(s);
}

/* Opening does not read the whole file (PRAGMA quick_check cost 73 ms a
 * run on a ten-year home): a file with a damaged page deep inside opens,
 * and store_check, which serve runs at its start, finds the damage. */
static void test_open_is_cheap_check_finds_damage(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "", *buf;
	size_t n, k, at;

	build_session1(&pf);
	assert_int_equal(store_begin(s, err), 0);
	for (k = 0; k < 600; k++)
		book_post(&pf, pf.start, pf.pos[0].id, "commission", 0,
			  "padding so the database spans many pages.........................");
	assert_int_equal(store_save_run(s, &pf, pf.start, "sim", "one", "{}", err), 0);
	assert_int_equal(store_commit(s, err), 0);
	assert_int_equal(store_check(s, 0, err), 0);
	assert_int_equal(store_check(s, 1, err), 0);
	store_close(s);
	book_release(&pf);

	/* A leaf page of the ledger, deep inside the file. */
	k = (size_t)raw_int(e->db, "SELECT pageno FROM dbstat WHERE name = 'ledger' AND "
				    "pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 3");
	buf = slurp(e->db, &n);
	assert_true(n > 16 * 4096);
	assert_true(k > 1 && k * 4096 <= n);
	at = (k - 1) * 4096;
	for (k = 8; k < 4096; k++)
		buf[at + k] = (char)(0x5a ^ (k * 7));
	spit(e->db, buf, n);
	free(buf);

	s = NULL;
	if (store_open(e->db, 0, &s, err))
		print_error("store_open: %s\n", err);
	assert_non_null(s);
	assert_int_equal(store_check(s, 0, err), PT_EIO);
	assert_non_null(strstr(err, "corrupt"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(store_check(s, 1, err), PT_EIO);
	assert_non_null(strstr(err, "corrupt"));
	assert_null(strchr(err, '\n'));
	store_close(s);
}

/* An index out of step with its table: quick_check (serve's) passes it,
 * integrity_check (doctor's) names it. */
static void test_full_check_finds_index_damage(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "";

	build_session1(&pf);
	save_run(s, &pf, "one");
	store_close(s);
	book_release(&pf);
	raw_exec(e->db, "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = "
			"'CREATE INDEX ledger_position ON ledger(session)' "
			"WHERE name = 'ledger_position'");
	assert_int_equal(store_open(e->db, 0, &s, err), 0);
	assert_int_equal(store_check(s, 0, err), 0);
	assert_int_equal(store_check(s, 1, err), PT_EIO);
	assert_non_null(strstr(err, "missing from index ledger_position"));
	store_close(s);
}

/* store_stats: the schema, size, rows pointing nowhere, and every stored
 * report read back, naming the first that does not. */
static void test_stats(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct store_stats st;
	struct portfolio pf;
	char err[PT_ERRSZ] = "";
	int day;

	build_session1(&pf);
	save_run(s, &pf, "one");
	day = pf.snaps[pf.n_snaps - 1].session;
	assert_int_equal(store_stats(s, &st, err), 0);
	assert_int_equal(st.schema, st.schema_current);
	assert_true(st.bytes >= 4096);
	assert_int_equal(st.fk_violations, 0);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.bad_runs, 0);
	assert_int_equal(st.first_bad_run, 0);
	store_close(s);
	book_release(&pf);

	raw_exec(e->db, "UPDATE runs SET json_z = X'789c0000'");
	raw_exec(e->db, "PRAGMA foreign_keys = OFF; UPDATE ledger SET position_id = 999 "
			"WHERE id = (SELECT min(id) FROM ledger)");
	assert_int_equal(store_open(e->db, 0, &s, err), 0);
	assert_int_equal(store_stats(s, &st, err), 0);
	assert_int_equal(st.fk_violations, 1);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.bad_runs, 1);
	assert_int_equal(st.first_bad_run, day);
	store_close(s);
}

static void test_save_load_round_trip(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf, back;
	char err[PT_ERRSZ] = "";

	build_session1(&pf);
	assert_int_equal(book_check(&pf, err), 0);
	save_run(s, &pf, "report one");
	load_into(s, &back);
	assert_pf_equal(&pf, &back);
	book_release(&back);

	/* The second run saves only the new ledger rows and updates positions. */
	build_session2(&pf);
	assert_int_equal(book_check(&pf, err), 0);
	save_run(s, &pf, "report two");
	store_close(s);

	s = open_ok(e->db, 0);
	load_into(s, &back);
	assert_pf_equal(&pf, &back);
	assert_int_equal(back.n_snaps, 2);
	assert_true(isnan(back.pos[1].entry_spot));
	assert_true(back.pos[0].entry_iv == 0.2134567891234);
	assert_int_equal(back.pos[1].closed, day("2024-11-22"));
	assert_string_equal(back.bench[0].ticker, "SPY");
	assert_string_equal(back.bench[1].ticker, "QQQ");
	assert_int_equal(book_check(&back, err), 0);
	book_release(&back);
	book_release(&pf);
	store_close(s);
}

static void test_reports_and_has_run(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "", *text = NULL, *json = NULL;
	int has = -1, d1 = day("2024-11-21"), d2 = day("2024-11-22");

	assert_int_equal(store_get_report(s, 0, &text, &json, err), PT_ENOENT);
	assert_int_equal(store_has_run(s, d1, &has, err), 0);
	assert_int_equal(has, 0);

	build_session1(&pf);
	save_run(s, &pf, "report one");
	build_session2(&pf);
	save_run(s, &pf, "report two");

	assert_int_equal(store_has_run(s, d1, &has, err), 0);
	assert_int_equal(has, 1);
	assert_int_equal(store_has_run(s, d2 + 3, &has, err), 0);
	assert_int_equal(has, 0);

	assert_int_equal(store_get_report(s, 0, &text, &json, err), 0);
	assert_string_equal(text, "report two");
	assert_string_equal(json, "{\"ok\":true}");
	free(text);
	free(json);
	assert_int_equal(store_get_report(s, d1, &text, &json, err), 0);
	assert_string_equal(text, "report one");
	free(text);
	free(json);
	assert_int_equal(store_get_report(s, d2 + 3, &text, &json, err), PT_ENOENT);
	assert_null(text);
	assert_null(json);

	/* The same session twice is refused, and the refusal changes nothing. */
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_run(s, &pf, d2, "sim", "again", "{}", err), PT_EINVAL);
	assert_non_null(strstr(err, "already stored"));
	store_rollback(s);
	assert_int_equal(store_get_report(s, d2, &text, &json, err), 0);
	assert_string_equal(text, "report two");
	free(text);
	free(json);

	/* Outside a transaction, and for a session that is not the last snapshot's. */
	assert_int_equal(store_save_run(s, &pf, d2, "sim", "x", "{}", err), PT_EINVAL);
	assert_int_equal(store_save_portfolio(s, &pf, err), PT_EINVAL);
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_run(s, &pf, d2 + 3, "sim", "x", "{}", err), PT_EINVAL);
	store_rollback(s);
	book_release(&pf);
	store_close(s);
}

static void test_rollback_leaves_state(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf, before, after;
	char err[PT_ERRSZ] = "";
	int has = -1;

	build_session1(&pf);
	save_run(s, &pf, "one");
	load_into(s, &before);

	build_session2(&pf);
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_run(s, &pf, day("2024-11-22"), "sim", "two", "{}", err), 0);
	store_rollback(s);

	assert_int_equal(store_has_run(s, day("2024-11-22"), &has, err), 0);
	assert_int_equal(has, 0);
	load_into(s, &after);
	assert_pf_equal(&before, &after);
	book_release(&before);
	book_release(&after);

	/* A failing save (a ledger row already stored) rolls back whole too. */
	assert_int_equal(store_begin(s, err), 0);
	pf.ledger_saved = 0;
	assert_int_not_equal(store_save_run(s, &pf, day("2024-11-22"), "sim", "two", "{}", err), 0);
	assert_non_null(strstr(err, "ledger"));
	store_rollback(s);
	load_into(s, &after);
	assert_int_equal(after.n_snaps, 1);
	assert_int_equal(after.n_pos, 3);
	book_release(&after);
	book_release(&pf);
	store_close(s);
}

/* ---- two writers ---------------------------------------------------------- */

static void test_write_lock(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	sqlite3 *other = NULL;
	char err[PT_ERRSZ] = "";

	assert_int_equal(sqlite3_open(e->db, &other), SQLITE_OK);
	sqlite3_busy_timeout(other, 0);

	assert_int_equal(store_begin(s, err), 0);
	/* While the store's transaction is open, nobody else may start writing. */
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_BUSY);
	assert_int_equal(store_begin(s, err), PT_EINVAL); /* no nesting */
	store_rollback(s);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	store_close(s);
}

struct second {
	const char *path;
	int session;
	int begin_rc, has;
};

static void *second_run(void *arg)
{
	struct second *t = arg;
	struct store *s = NULL;
	char err[PT_ERRSZ];

	t->begin_rc = -100;
	if (store_open(t->path, 0, &s, err))
		return NULL;
	t->begin_rc = store_begin(s, err);
	if (!t->begin_rc) {
		store_has_run(s, t->session, &t->has, err);
		store_rollback(s);
	}
	store_close(s);
	return NULL;
}

/* A second run that starts while the first holds the lock waits, then sees its run. */
static void test_second_run_waits(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	struct second t = {e->db, 0, -1, -1};
	pthread_t th;
	char err[PT_ERRSZ] = "";

	build_session1(&pf);
	t.session = pf.snaps[0].session;
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_run(s, &pf, t.session, "sim", "one", "{}", err), 0);
	assert_int_equal(pthread_create(&th, NULL, second_run, &t), 0);
	assert_int_equal(store_commit(s, err), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.begin_rc, 0);
	assert_int_equal(t.has, 1);
	book_release(&pf);
	store_close(s);
}

/* ---- files that are not ours ---------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Opening fails with PT_EIO and want in the message, for both create values,
 * and the file's bytes are exactly as before. */
static void assert_refused(const char *path, const char *want)
{
	struct store *s = NULL;
	char err[PT_ERRSZ] = "";
	size_t n0, n1;
	char *b0 = slurp(path, &n0), *b1;
	int create;

	for (create = 0; create <= 1; create++) {
		assert_int_equal(store_open(path, create, &s, err), PT_EIO);
		assert_null(s);
		if (!strstr(err, want))
			print_error("message '%s' lacks '%s'\n", err, want);
		assert_non_null(strstr(err, want));
		assert_null(strchr(err, '\n'));
	}
	b1 = slurp(path, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(b0, b1, n0);
	free(b0);
	free(b1);
}

static void test_refuses_random_bytes(void **state)
{
	struct env *e = *state;
	char buf[8192];
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (char)(x >> 16);
	}
	spit(e->db, buf, sizeof(buf));
	assert_refused(e->db, "not an SQLite database");
}

static void test_refuses_truncated(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct portfolio pf;
	char err[PT_ERRSZ] = "", *buf;
	size_t n, k;

	build_session1(&pf);
	assert_int_equal(store_begin(s, err), 0);
	for (k = 0; k < 300; k++)
		book_post(&pf, pf.start, pf.pos[0].id, "commission", 0,
		          "padding so the database spans many pages.........................");
	assert_int_equal(store_save_run(s, &pf, pf.start, "sim", "one", "{}", err), 0);
	assert_int_equal(store_commit(s, err), 0);
	store_close(s);
	book_release(&pf);

	buf = slurp(e->db, &n);
	assert_true(n > 8 * 4096);
	spit(e->db, buf, n / 2);
	free(buf);
	assert_refused(e->db, "corrupt");
}

static void test_refuses_foreign_db(void **state)
{
	struct env *e = *state;

	raw_exec(e->db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
	                "INSERT INTO notes (body) VALUES ('hello');");
	assert_refused(e->db, "not a papertrade database");
}

static void test_refuses_future_schema(void **state)
{
	struct env *e = *state;

	store_close(new_store(e->db, 100000));
	raw_exec(e->db, "PRAGMA user_version = 99");
	assert_refused(e->db, "newer papertrade");
}

static void test_empty_file(void **state)
{
	struct env *e = *state;
	struct store *s = NULL;
	char err[PT_ERRSZ] = "";

	spit(e->db, "", 0);
	assert_int_equal(store_open(e->db, 0, &s, err), PT_EIO);
	assert_non_null(strstr(err, "empty"));
	s = open_ok(e->db, 1); /* an empty file becomes a database when asked to create */
	store_close(s);
	assert_int_equal(raw_int(e->db, "PRAGMA user_version"), 6);
}

/* ---- portfolio_data.json -------------------------------------------------- */

static void import_ok(const char *text, struct portfolio *pf)
{
	char err[PT_ERRSZ] = "";
	int rc;

	book_init(pf, 0);
	rc = brief_import_json(text, strlen(text), pf, err);
	if (rc)
		print_error("import: %s\n", err);
	assert_int_equal(rc, 0);
	assert_int_equal(book_check(pf, err), 0);
}

static void test_export_import_round_trip(void **state)
{
	struct env *e = *state;
	struct portfolio pf, back, loaded;
	struct sbuf a, b;
	struct store *s;
	char err[PT_ERRSZ] = "";
	size_t i;

	build_session1(&pf);
	build_session2(&pf);
	pf.pos[0].entry_theo = 1.0 / 3.0; /* needs all 17 digits */
	sb_init(&a, 1 << 24);
	sb_init(&b, 1 << 24);
	assert_int_equal(brief_export_json(&pf, &a, err), 0);
	assert_non_null(strstr(sb_str(&a), "\"current_cash\": "));
	assert_non_null(strstr(sb_str(&a), "\"status\": \"OPEN\""));

	import_ok(sb_str(&a), &back);
	assert_pf_equal(&pf, &back);
	assert_int_equal(back.ledger_saved, 0);
	assert_int_equal(brief_export_json(&back, &b, err), 0);
	assert_string_equal(sb_str(&a), sb_str(&b));

	/* And through the store. */
	s = new_store(e->db, 100000);
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_portfolio(s, &back, err), 0);
	assert_int_equal(store_commit(s, err), 0);
	load_into(s, &loaded);
	assert_pf_equal(&pf, &loaded);
	store_close(s);

	/* Amounts in dollars with two decimals where the brief has them. */
	for (i = 0; i + 1 < a.len; i++)
		if (!strncmp(a.buf + i, "\"current_cash\": ", 16))
			break;
	{
		char want[64], money[32];
		int64_t c = pf.cash_cents;
		snprintf(money, sizeof(money), "%lld.%02lld", (long long)(c / 100),
		         (long long)(c % 100));
		snprintf(want, sizeof(want), "\"current_cash\": %s,", money);
		assert_non_null(strstr(sb_str(&a), want));
	}
	book_release(&pf);
	book_release(&back);
	book_release(&loaded);
	sb_release(&a);
	sb_release(&b);
}

static const char brief_example[] = "{\n"
                                    "  \"start_date\": \"2024-11-21\",\n"
                                    "  \"initial_capital\": 1000,\n"
                                    "  \"current_cash\": 1050.25,\n"
                                    "  \"positions\": [\n"
                                    "    {\n"
                                    "      \"ticker\": \"SPY\",\n"
                                    "      \"action\": \"SELL\",\n"
                                    "      \"strike\": 605,\n"
                                    "      \"expiration\": \"2024-12-20\",\n"
                                    "      \"contracts\": 2,\n"
                                    "      \"entry_price\": 3.50,\n"
                                    "      \"status\": \"OPEN\"\n"
                                    "    }\n"
                                    "  ],\n"
                                    "  \"closed_trades\": [],\n"
                                    "  \"daily_snapshots\": []\n"
                                    "}\n";

static void test_import_brief_example(void **state)
{
	struct portfolio pf;
	const struct position *p;

	(void)state;
	import_ok(brief_example, &pf);
	/* What the trades do not explain of current_cash is the opening
	 * balance: the initial capital, not a synthetic trade. */
	assert_int_equal(pf.initial_cents, 105025 - 70000);
	assert_int_equal(pf.cash_cents, 105025);
	assert_int_equal(pf.start, day("2024-11-21"));
	assert_int_equal(pf.last_session, day("2024-11-21"));
	assert_int_equal(pf.n_snaps, 0);
	p = &pf.pos[0];
	assert_string_equal(p->ticker, "SPY");
	assert_int_equal(p->right, 'C');
	assert_true(p->strike == 605);
	assert_true(p->quantity == -2);
	assert_int_equal(p->credit_cents, 70000); /* 2 x 3.50 x 100 */
	assert_int_equal(p->closed, 0);
	assert_int_equal(p->expiry, day("2024-12-20"));
	assert_int_equal(pf.n_pos, 1);
	assert_int_equal(pf.n_ledger, 1);
	book_release(&pf);
}

static void test_import_brief_trades(void **state)
{
	static const char text[] =
	        "{\"start_date\": \"2024-11-01\", \"initial_capital\": 1000.00,"
	        " \"current_cash\": 1015.00,"
	        " \"positions\": ["
	        "  {\"ticker\": \"QQQ\", \"action\": \"SELL\", \"type\": \"call\", \"strike\": 520,"
	        "   \"contracts\": 1, \"entry_price\": 0.12, \"expiration\": \"2024-12-06\","
	        "   \"entry_date\": \"2024-11-08\", \"status\": \"OPEN\"},"
	        "  {\"ticker\": \"SPY\", \"action\": \"SELL\", \"strike\": 600, \"contracts\": 1,"
	        "   \"entry_price\": 0.5, \"expiry\": \"2024-11-15\", \"status\": \"CLOSED\"}],"
	        " \"closed_trades\": ["
	        "  {\"ticker\": \"SPY\", \"action\": \"SELL\", \"strike\": 600, \"contracts\": 1,"
	        "   \"entry_price\": 0.5, \"expiry\": \"2024-11-15\", \"entry_date\": "
	        "\"2024-11-01\","
	        "   \"pnl\": 0.4, \"status\": \"CLOSED\"}],"
	        " \"daily_snapshots\": ["
	        "  {\"date\": \"2024-11-08\", \"portfolio_value\": 1003.1, \"cash\": 1012.4},"
	        "  {\"date\": \"2024-11-01\", \"portfolio_value\": 1000},"
	        "  {\"date\": \"2024-11-08\", \"portfolio_value\": 1005.5, \"cash\": 1012.4}]}";
	struct portfolio pf;
	const struct position *spy;

	(void)state;
	import_ok(text, &pf);
	assert_int_equal(pf.cash_cents, 101500);
	/* The CLOSED entry in positions is the closed trade's, not a second one. */
	assert_int_equal(pf.n_pos, 2); /* SPY closed, QQQ open */
	spy = &pf.pos[0];
	assert_string_equal(spy->ticker, "SPY");
	assert_int_equal(spy->closed, day("2024-11-15"));
	assert_int_equal(book_pnl_cents(spy), 40);
	assert_int_equal(pf.pos[1].credit_cents, 1200); /* 1 x 0.12 x 100 */
	/* current_cash less the trades' cash flows: the opening balance. */
	assert_int_equal(pf.initial_cents, 101500 - 40 - 1200);
	/* The brief's snapshots (shorts counted as assets) are not kept. */
	assert_int_equal(pf.n_snaps, 0);
	assert_int_equal(pf.last_session, day("2024-11-15"));
	assert_int_equal(pf.events_through, day("2024-11-15"));
	book_release(&pf);
}

/* Each bad input fails with PT_EINVAL, a message naming the field, pf untouched. */
static void assert_import_fails(const char *text, const char *want)
{
	struct portfolio pf;
	char err[PT_ERRSZ] = "";
	int rc;

	book_init(&pf, 777);
	rc = brief_import_json(text, strlen(text), &pf, err);
	if (rc != PT_EINVAL || !strstr(err, want))
		print_error("input %s\n gave %d '%s', want '%s'\n", text, rc, err, want);
	assert_int_equal(rc, PT_EINVAL);
	assert_non_null(strstr(err, want));
	assert_int_equal(pf.initial_cents, 777);
	assert_int_equal(pf.n_pos + pf.n_ledger, 0);
	book_release(&pf);
}

#define HEAD "{\"start_date\": \"2024-11-21\", \"initial_capital\": 1000, \"current_cash\": 1000, "
#define POS(x) HEAD "\"positions\": [{\"ticker\": \"SPY\", \"action\": \"SELL\", " x "}]}"
#define GOOD "\"strike\": 605, \"contracts\": 2, \"entry_price\": 3.5"

static void test_import_rejects(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	        {"", "not valid JSON"},
	        {"{\"start_date\": ", "not valid JSON"},
	        {"{} {}", "not valid JSON"},
	        {"[1, 2]", "not a JSON object"},
	        {"{\"a\": 1, \"a\": 2}", "not valid JSON"},
	        {"{}", "start_date: missing"},
	        {"{\"start_date\": 20241121}", "start_date: not a string"},
	        {"{\"start_date\": \"2024-13-01\"}", "start_date: not a date"},
	        {"{\"start_date\": \"2024-11-21\", \"current_cash\": 1}",
	         "initial_capital: missing"},
	        {"{\"start_date\": \"2024-11-21\", \"initial_capital\": -5, \"current_cash\": 1}",
	         "initial_capital: out of range"},
	        {"{\"start_date\": \"2024-11-21\", \"initial_capital\": 1000, \"current_cash\": "
	         "1e300}",
	         "current_cash: out of range"},
	        {"{\"start_date\": \"2024-11-21\", \"initial_capital\": 1000, \"current_cash\": "
	         "\"x\"}",
	         "current_cash: not a number"},
	        {HEAD "\"positions\": {}}", "positions: not an array"},
	        {HEAD "\"positions\": [7]}", "positions[0]: not an object"},
	        {POS("\"strike\": -605, \"contracts\": 2, \"entry_price\": 3.5"),
	         "positions[0].strike: not a positive number"},
	        {POS("\"strike\": \"605\", \"contracts\": 2, \"entry_price\": 3.5"),
	         "positions[0].strike: not a number"},
	        {POS("\"contracts\": 2, \"entry_price\": 3.5"), "positions[0].strike: missing"},
	        {POS("\"strike\": 605, \"contracts\": 0, \"entry_price\": 3.5"),
	         "positions[0].contracts: not a positive number"},
	        {POS("\"strike\": 605, \"contracts\": 2, \"entry_price\": -1"),
	         "positions[0].entry_price: out of range"},
	        {POS(GOOD), "positions[0].expiration: missing: SPY 605 call"},
	        {HEAD "\"positions\": [{\"ticker\": \"SPY\", \"action\": \"SELL\", \"type\": "
	              "\"put\", " GOOD "}]}",
	         "positions[0].expiration: missing: SPY 605 put"},
	        {POS(GOOD ", \"expiration\": \"2024-12-32\""),
	         "positions[0].expiration: not a date"},
	        {POS(GOOD ", \"expiration\": \"2024-11-01\""),
	         "positions[0].expiration: before the entry date"},
	        {POS(GOOD ", \"entry_date\": \"soon\""), "positions[0].entry_date: not a date"},
	        {POS(GOOD ", \"status\": \"PENDING\""), "positions[0].status"},
	        {POS(GOOD ", \"type\": \"future\""), "positions[0].type"},
	        {HEAD "\"positions\": [{\"ticker\": \"SPY\", \"action\": \"HOLD\", " GOOD "}]}",
	         "positions[0].action"},
	        {HEAD "\"positions\": [{\"ticker\": \"S P Y\", \"action\": \"SELL\", " GOOD "}]}",
	         "positions[0].ticker: not a ticker"},
	        {HEAD
	         "\"positions\": [{\"ticker\": \"ABCDEFGHIJKLMNOPQ\", \"action\": \"SELL\", " GOOD
	         "}]}",
	         "positions[0].ticker: longer than"},
	        {HEAD "\"positions\": [{\"action\": \"SELL\", " GOOD "}]}",
	         "positions[0].ticker: missing"},
	        {HEAD "\"closed_trades\": [{\"ticker\": \"SPY\", \"action\": \"SELL\", " GOOD "}]}",
	         "closed_trades[0].pnl: missing"},
	        {HEAD "\"closed_trades\": [{\"ticker\": \"SPY\", \"action\": \"SELL\", \"pnl\": 1, "
	              "\"reason\": \"a\\nb\", " GOOD "}]}",
	         "closed_trades[0].reason: control character"},
	        {HEAD "\"daily_snapshots\": [{\"portfolio_value\": 1000}]}",
	         "daily_snapshots[0].date: missing"},
	        {HEAD
	         "\"daily_snapshots\": [{\"date\": \"2024-11-21\", \"portfolio_value\": null}]}",
	         "daily_snapshots[0].portfolio_value: missing"},
	        {HEAD "\"papertrade\": 5}", "papertrade: not an object"},
	        {HEAD "\"papertrade\": {\"format\": 2}}", "papertrade.format"},
	        {"{\"a\": "
	         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	         "}",
	         "nested deeper"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < PT_ARRAY_SIZE(cases); i++)
		assert_import_fails(cases[i].text, cases[i].want);
}

/* Replaces the first occurrence of from in a copy of text. */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = xmalloc(n);

	assert_non_null(at);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

/* Edits to the exact state are caught: by the field checks or by the books. */
static void test_import_rejects_exact_edits(void **state)
{
	struct portfolio pf;
	struct sbuf sb;
	char err[PT_ERRSZ] = "", *t;
	char cash[64], cash2[64], led[64], led2[64];

	(void)state;
	build_session1(&pf);
	sb_init(&sb, 1 << 24);
	assert_int_equal(brief_export_json(&pf, &sb, err), 0);

	/* current_cash edited by hand: disagrees with the exact state. */
	snprintf(cash, sizeof(cash), "\"current_cash\": %lld.%02lld",
	         (long long)(pf.cash_cents / 100), (long long)(pf.cash_cents % 100));
	snprintf(cash2, sizeof(cash2), "\"current_cash\": %lld.%02lld",
	         (long long)(pf.cash_cents / 100 + 1), (long long)(pf.cash_cents % 100));
	t = edit(sb_str(&sb), cash, cash2);
	assert_import_fails(t, "current_cash: differs");
	free(t);

	/* Both cash fields edited alike: the ledger no longer adds up. */
	snprintf(cash, sizeof(cash), "\"cash_cents\": %lld", (long long)pf.cash_cents);
	snprintf(cash2, sizeof(cash2), "\"cash_cents\": %lld", (long long)pf.cash_cents + 100);
	{
		char *t1, *a, *b;
		snprintf(led, sizeof(led), "\"current_cash\": %lld.%02lld",
		         (long long)(pf.cash_cents / 100), (long long)(pf.cash_cents % 100));
		snprintf(led2, sizeof(led2), "\"current_cash\": %lld.%02lld",
		         (long long)(pf.cash_cents / 100 + 1), (long long)(pf.cash_cents % 100));
		a = edit(sb_str(&sb), cash, cash2);
		b = edit(a, led, led2);
		assert_import_fails(b, "does not add up");
		t1 = edit(sb_str(&sb), "\"position_id\": 1,", "\"position_id\": 99,");
		assert_import_fails(t1, "papertrade.ledger[0].position_id: no such position");
		free(t1);
		t1 = edit(sb_str(&sb), "\"right\": \"C\"", "\"right\": \"X\"");
		assert_import_fails(t1, "papertrade.positions[0].right");
		free(t1);
		t1 = edit(sb_str(&sb), "\"id\": 2,", "\"id\": 1,");
		assert_import_fails(t1, "papertrade.positions[1].id");
		free(t1);
		t1 = edit(sb_str(&sb), "\"benchmarks_cents\": [", "\"benchmarks_cents\": [1, ");
		assert_import_fails(t1, "papertrade.snapshots[0].benchmarks_cents");
		free(t1);
		free(a);
		free(b);
	}
	book_release(&pf);
	sb_release(&sb);
}

static void test_import_size_cap(void **state)
{
	size_t n = (64u << 20) + 1;
	char *big = xmalloc(n);
	struct portfolio pf;
	char err[PT_ERRSZ] = "";

	(void)state;
	memset(big, ' ', n);
	book_init(&pf, 0);
	assert_int_equal(brief_import_json(big, n, &pf, err), PT_EINVAL);
	assert_non_null(strstr(err, "64 MiB"));
	free(big);
	book_release(&pf);
}

/* Tapes: stored compressed in a transaction, loaded back byte for byte,
 * checked by CRC. (Tape files are test_tape.c's.) */
static void test_tapes(void **state)
{
	struct env *e = *state;
	struct store *s = new_store(e->db, 100000);
	struct tape t, back;
	struct store_tape_info info, *list;
	char err[PT_ERRSZ] = "";
	int day = date_from_ymd(2025, 10, 29);
	size_t n, i;
	char big[70000];

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 23);
	tape_init(&t);
	tape_append(&t, "http://127.0.0.1:1/v7/finance/options/AAPL?crumb=x", 200, 1761768100,
		      "application/json", "{\"a\": 1}", 8);
	tape_append(&t, "http://127.0.0.1:1/v1/test/getcrumb", 200, 1761768101, "text/plain",
		      "", 0);
	tape_append(&t, "http://127.0.0.1:1/big", 404, 1761768102, "text/plain", big,
		      sizeof(big));
	/* outside a transaction: refused */
	assert_int_equal(store_save_tape(s, day, 1761768000, "yahoo", &t, err), PT_EINVAL);
	assert_int_equal(store_begin(s, err), 0);
	assert_int_equal(store_save_tape(s, day, 1761768000, "yahoo", &t, err), 0);
	assert_int_equal(store_commit(s, err), 0);

	assert_int_equal(store_load_tape(s, day, &back, &info, err), 0);
	assert_int_equal(back.n, 3);
	assert_int_equal(info.asof, 1761768000);
	assert_string_equal(info.sources, "yahoo");
	assert_int_equal(info.raw_bytes, 8 + sizeof(big));
	assert_true(info.stored_bytes < info.raw_bytes);
	for (i = 0; i < t.n; i++) {
		assert_string_equal(back.rec[i].url, t.rec[i].url);
		assert_int_equal(back.rec[i].status, t.rec[i].status);
		assert_int_equal(back.rec[i].fetched_at, t.rec[i].fetched_at);
		assert_string_equal(back.rec[i].content_type, t.rec[i].content_type);
		assert_int_equal(back.rec[i].len, t.rec[i].len);
		assert_memory_equal(back.rec[i].body, t.rec[i].body, t.rec[i].len);
	}
	tape_release(&back);
	assert_int_equal(store_list_tapes(s, &list, &n, err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].n, 3);
	free(list);
	assert_int_equal(store_load_tape(s, day + 1, &back, &info, err), PT_ENOENT);

	/* a second tape for the session is refused */
	assert_int_equal(store_begin(s, err), 0);
	assert_int_not_equal(store_save_tape(s, day, 1, "yahoo", &t, err), 0);
	store_rollback(s);
	store_close(s);

	/* a damaged body fails its checksum */
	raw_exec(e->db, "UPDATE tape_responses SET crc32 = crc32 + 1 WHERE seq = 0");
	s = open_ok(e->db, 0);
	assert_int_equal(store_load_tape(s, day, &back, &info, err), PT_EIO);
	assert_non_null(strstr(err, "checksum"));
	store_close(s);
	tape_release(&t);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_missing_file),         T(test_create_reopen),
	        T(test_load_without_account), T(test_save_load_round_trip),
	        T(test_reports_and_has_run),  T(test_rollback_leaves_state),
	        T(test_write_lock),           T(test_second_run_waits),
	        T(test_refuses_random_bytes), T(test_refuses_truncated),
	        T(test_refuses_foreign_db), T(test_migrate_margin),   T(test_refuses_future_schema),
	        T(test_empty_file),           T(test_export_import_round_trip),
	        T(test_import_brief_example), T(test_import_brief_trades),
	        T(test_import_rejects),       T(test_import_rejects_exact_edits),
	        T(test_import_size_cap),      T(test_tapes),
	        T(test_migrate_strategy),     T(test_migrate_slim_runs), T(test_run_body_damaged),
	        T(test_run_saves_position_delta), T(test_open_is_cheap_check_finds_damage),
	        T(test_full_check_finds_index_damage), T(test_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
