/*
 * price.c - `papertrade price --csv` and `papertrade iv --csv [--why]`: the
 * quant module (DESIGN.md §2 quant/) as a CSV filter, stdin to stdout, so its
 * numbers can be checked against any other implementation (DESIGN.md §5).
 * Not part of the daily flow of §1; the strategy calls quant/ directly.
 *
 * Input is treated as hostile: lines are at most PRICE_LINE_MAX bytes, every
 * field is parsed strictly, and the whole output is held back until every
 * row has parsed, so a bad row leaves stdout empty.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../quant/bs.h"
#include "../util/util.h"

#define PRICE_LINE_MAX 4096		/* bytes per input line, without the newline */
#define PRICE_OUT_MAX (256u << 20)	/* bytes of output held back */
#define PRICE_COLS 7

static const char price_usage[] =
	"usage: papertrade price --csv < options.csv\n\n"
	"Black-Scholes-Merton prices and greeks with a continuous dividend yield.\n"
	"Reads a header line 'right,S,K,T,r,q,sigma' and then one option per line:\n"
	"  right  C (call) or P (put)\n"
	"  S      underlying price (> 0)       K      strike (> 0)\n"
	"  T      years to expiry (>= 0; calendar days / 365)\n"
	"  r, q   risk-free rate and dividend yield, continuous, as fractions (0.045)\n"
	"  sigma  volatility as a fraction (>= 0; 0.18 for 18%)\n"
	"and writes 'price,delta,gamma,vega,theta,rho', one line per option: vega and\n"
	"rho per 1.00 change of sigma and r, theta per year of calendar time (divide\n"
	"by 365 for a day). T = 0 or sigma = 0 give the discounted intrinsic value.\n\n"
	"Blank lines are skipped; lines are at most 4096 bytes. On a bad line nothing\n"
	"is written, the error names the line and the exit status is 2.\n\n"
	"  --csv       read and write CSV as above (required)\n"
	"  -h, --help  this help\n";

static const char iv_usage[] =
	"usage: papertrade iv --csv [--why] < quotes.csv\n\n"
	"Black-Scholes-Merton implied volatility with a continuous dividend yield.\n"
	"Reads a header line 'right,S,K,T,r,q,price' and then one option per line\n"
	"(columns as for 'papertrade price', price in the underlying's currency)\n"
	"and writes 'iv', one line per option: the volatility, as a fraction, that\n"
	"reproduces the price (Let's Be Rational, to full double precision; any\n"
	"volatility, no range searched). The line is empty when there is none: a\n"
	"price at or outside the no-arbitrage bounds, or T = 0.\n\n"
	"Blank lines are skipped; lines are at most 4096 bytes. On a bad line nothing\n"
	"is written, the error names the line and the exit status is 2.\n\n"
	"  --csv       read and write CSV as above (required)\n"
	"  --why       write 'iv,why': why is empty when there is a volatility, else\n"
	"              below_intrinsic    price <= max(0, S e^-qT - K e^-rT) for a call,\n"
	"                                 max(0, K e^-rT - S e^-qT) for a put\n"
	"              above_upper_bound  price >= S e^-qT (call) or K e^-rT (put)\n"
	"              zero_time          T = 0 (every volatility gives the same price)\n"
	"  -h, --help  this help\n";

struct csv_cmd {
	const char *name;
	const char *usage;
	const char *header;	 /* the input's header line */
	const char *const *cols; /* its PRICE_COLS column names */
	int last_nonneg;	 /* the last column may not be negative (sigma) */
	int has_why;		 /* takes --why */
	const char *out_header;
	const char *why_header; /* the output's header with --why */
	/* Appends the output line for one valid row (with a why column when
	 * why is set); 0, or -1 when the output is full. */
	int (*row)(char right, const double *v, int why, struct sbuf *out);
};

/* Appends v, shortest of %.15g and %.17g that reads back as the same double. */
static int add_num(struct sbuf *out, double v, const char *sep)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	return sb_addf(out, "%s%s", sep, buf);
}

static int price_row(char right, const double *v, int why, struct sbuf *out)
{
	struct bs_greeks g;

	(void)why;
	bs_greeks(right, v[1], v[2], v[3], v[4], v[5], v[6], &g);
	if (add_num(out, g.price, "") || add_num(out, g.delta, ",") ||
	    add_num(out, g.gamma, ",") || add_num(out, g.vega, ",") ||
	    add_num(out, g.theta, ",") || add_num(out, g.rho, ","))
		return -1;
	return sb_add(out, "\n", 1);
}

static int iv_row(char right, const double *v, int why, struct sbuf *out)
{
	double iv;

	if (bs_implied_vol(right, v[1], v[2], v[3], v[4], v[5], v[6], &iv) == 0) {
		if (add_num(out, iv, "") || (why && sb_add(out, ",", 1)))
			return -1;
	} else if (why &&
		   sb_addf(out, ",%s",
			   bs_iv_why_name(bs_iv_why(right, v[1], v[2], v[3], v[4], v[5], v[6])))) {
		return -1;
	}
	return sb_add(out, "\n", 1);
}

/*
 * Reads one line of at most PRICE_LINE_MAX bytes into buf (that size + 1),
 * without its "\n" or "\r\n". Returns 1, 0 at the end of input, -1 when
 * the line is too long, -2 when it holds a NUL byte, -3 on a read error.
 */
static int read_line(FILE *in, char *buf)
{
	size_t n = 0;
	int c;

	while ((c = getc(in)) != EOF && c != '\n') {
		if (c == '\0')
			return -2;
		if (n == PRICE_LINE_MAX)
			return -1;
		buf[n++] = (char)c;
	}
	if (c == EOF) {
		if (ferror(in))
			return -3;
		if (n == 0)
			return 0;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	return s;
}

/* Splits line at commas into trimmed fields, the first max of them into f;
 * returns how many fields the line has. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *c = strchr(line, ',');

		if (c)
			*c = '\0';
		if (n < max)
			f[n] = trim(line);
		n++;
		if (!c)
			return n;
		line = c + 1;
	}
}

/* A field as a message may show it: printable, at most n - 4 bytes and "...". */
static const char *shown(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 4 < n; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i]) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/*
 * Checks one data row and parses it into v[1..6] (v[0] unused). Returns 0,
 * or -1 with the reason in why.
 */
static int parse_row(const struct csv_cmd *cmd, char **f, int nf, char *right, double *v,
		     char *why)
{
	char show[48];
	int i;

	if (nf != PRICE_COLS)
		return pt_err(why, PT_EINVAL, "want %d fields, got %d", PRICE_COLS, nf);
	if (strcmp(f[0], "C") != 0 && strcmp(f[0], "P") != 0)
		return pt_err(why, PT_EINVAL, "right must be C or P, not '%s'",
			      shown(f[0], show, sizeof(show)));
	*right = f[0][0];
	for (i = 1; i < PRICE_COLS; i++)
		if (pt_parse_double(f[i], &v[i]))
			return pt_err(why, PT_EINVAL, "%s is not a number: '%s'", cmd->cols[i],
				      shown(f[i], show, sizeof(show)));
	if (!(v[1] > 0))
		return pt_err(why, PT_EINVAL, "S must be positive, not %s",
			      shown(f[1], show, sizeof(show)));
	if (!(v[2] > 0))
		return pt_err(why, PT_EINVAL, "K must be positive, not %s",
			      shown(f[2], show, sizeof(show)));
	if (!(v[3] >= 0))
		return pt_err(why, PT_EINVAL, "T must not be negative, not %s",
			      shown(f[3], show, sizeof(show)));
	if (cmd->last_nonneg && !(v[6] >= 0))
		return pt_err(why, PT_EINVAL, "sigma must not be negative, not %s",
			      shown(f[6], show, sizeof(show)));
	return 0;
}

static int run_csv(const struct csv_cmd *cmd, int with_why, FILE *in)
{
	char line[PRICE_LINE_MAX + 1];
	char why[PT_ERRSZ];
	struct sbuf out;
	long lineno = 0;
	int header = 0, rc = EXIT_USAGE;

	sb_init(&out, PRICE_OUT_MAX);
	for (;;) {
		char *f[PRICE_COLS];
		double v[PRICE_COLS];
		char right = 0;
		int nf, got = read_line(in, line);

		lineno++;
		if (got == 0)
			break;
		if (got == -1) {
			cli_error(cmd->name, "line %ld: longer than %d bytes", lineno,
				  PRICE_LINE_MAX);
			goto out;
		}
		if (got == -2) {
			cli_error(cmd->name, "line %ld: holds a NUL byte", lineno);
			goto out;
		}
		if (got == -3) {
			cli_error(cmd->name, "cannot read the input");
			rc = EXIT_RUNTIME;
			goto out;
		}
		if (*trim(line) == '\0')
			continue;
		nf = split(line, f, PRICE_COLS);
		if (!header) {
			int i, same = nf == PRICE_COLS;

			for (i = 0; same && i < PRICE_COLS; i++)
				same = !strcmp(f[i], cmd->cols[i]);
			if (!same) {
				cli_error(cmd->name, "line %ld: want the header '%s'", lineno,
					  cmd->header);
				goto out;
			}
			header = 1;
			if (sb_addf(&out, "%s\n", with_why ? cmd->why_header : cmd->out_header))
				goto full;
			continue;
		}
		if (parse_row(cmd, f, nf, &right, v, why)) {
			cli_error(cmd->name, "line %ld: %s", lineno, why);
			goto out;
		}
		if (cmd->row(right, v, with_why, &out))
			goto full;
	}
	if (!header) {
		cli_error(cmd->name, "empty input: want the header '%s'", cmd->header);
		goto out;
	}
	if ((out.len && fwrite(out.buf, 1, out.len, stdout) != out.len) || fflush(stdout) ||
	    ferror(stdout)) {
		cli_error(cmd->name, "cannot write the output");
		rc = EXIT_RUNTIME;
		goto out;
	}
	rc = EXIT_OK_;
	goto out;
full:
	cli_error(cmd->name, "line %ld: output larger than %u MiB; split the input", lineno,
		  PRICE_OUT_MAX >> 20);
	rc = EXIT_RUNTIME;
out:
	sb_release(&out);
	return rc;
}

static int unknown_option(const struct csv_cmd *cmd, const char *arg)
{
	cli_error(cmd->name, "unknown option '%s' (see papertrade %s --help)", arg, cmd->name);
	return EXIT_USAGE;
}

static int csv_main(const struct csv_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{"csv", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"why", no_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	int csv = 0, why = 0, c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			csv = 1;
			break;
		case 'w':
			if (!cmd->has_why)
				return unknown_option(cmd, argv[optind - 1]);
			why = 1;
			break;
		case 'h':
			return cli_usage(cmd->usage, 0);
		default:
			return unknown_option(cmd, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		cli_error(cmd->name, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!csv) {
		cli_error(cmd->name, "--csv is required (see papertrade %s --help)", cmd->name);
		return EXIT_USAGE;
	}
	return run_csv(cmd, why, stdin);
}

int cmd_price(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const cols[PRICE_COLS] = {"right", "S", "K", "T", "r", "q", "sigma"};
	static const struct csv_cmd cmd = {"price",
					   price_usage,
					   "right,S,K,T,r,q,sigma",
					   cols,
					   1,
					   0,
					   "price,delta,gamma,vega,theta,rho",
					   NULL,
					   price_row};

	(void)ctx;
	return csv_main(&cmd, argc, argv);
}

int cmd_iv(struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const cols[PRICE_COLS] = {"right", "S", "K", "T", "r", "q", "price"};
	static const struct csv_cmd cmd = {
		"iv", iv_usage, "right,S,K,T,r,q,price", cols, 0, 1, "iv", "iv,why", iv_row};

	(void)ctx;
	return csv_main(&cmd, argc, argv);
}
