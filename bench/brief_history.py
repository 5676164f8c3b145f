#!/usr/bin/python3
"""The yardstick of bench/history.sh: what a brief-style Python user does
with the same OptionsDX file, with pandas (Debian's python3-pandas), as
papertrade's `history import` and bench/history_replay do.

  brief_history.py import FILE STORE   read FILE, parse its dates, write STORE
  brief_history.py replay STORE        read STORE back, then every session's
                                       calls of the expiration nearest 30 days

import: pandas.read_csv with the C engine, sep="," and skipinitialspace=True
(OptionsDX separates fields with ", ": sep=", " would be a regex separator,
which only the Python engine takes, many times slower; the pyarrow engine
needs pyarrow, which Debian 12 does not package). Only the columns papertrade
reads are kept (usecols: the quote date, the underlying, the expiry, the
strike and each side's bid, ask, last, volume and IV): the C parser still
splits every field of every line, as papertrade's reader does, but converts
only those, which is papertrade's work and favours pandas (all 33 columns
took about 2.9 times as long on a one-year sample). The dates are parsed by
pd.to_datetime with the format given (faster than read_csv's parse_dates),
the bracketed names made plain, and the frame written with
DataFrame.to_pickle: of the stores Debian's pandas can write (Parquet and
Feather need pyarrow, not in Debian 12), it was the fastest to write and to
read back on that sample, by far (HDF5 through PyTables, format="fixed":
writing 10-20 times, reading 3-6 times as long; to_sql into SQLite: 60-200
times).
PY_STORE=hdf or PY_STORE=sqlite picks one of those instead (hdf needs
python3-tables). No fsync (papertrade's import syncs its store): that
favours pandas too.

replay: read_pickle of the whole store (every row into memory, as
history_replay reads every row through the store), then, for every session
(a groupby on the quote date, one session after another as a backtest
consumes them), the calls of the expiration nearest 30 days: expirations
after the session, the least |days - 30|, the earlier on a tie (papertrade's
cal_nearest_expiry). history_replay's view pass builds the same selection
per session (and bars, dividends and the rate, which this does not). The
same selection computed for all sessions at once (groupby transforms, no
Python loop per session) is timed too, as a faster way in pandas.

Times are taken inside the process: the interpreter's start and `import
pandas` are not in them (they are in papertrade's, end to end).

PY_ROWS=N (option rows; each line holds a call and a put, so N/2 lines)
reads only the first N/2 lines, for a machine without the memory for the
whole file: the figures are then printed for the sample and scaled by rows
to the whole file, which says so.

Prints one line per measurement, and the process's peak resident set
(getrusage's ru_maxrss)."""
import os
import resource
import sys
import time

import pandas as pd

COLS = ["[QUOTE_DATE]", "[UNDERLYING_LAST]", "[EXPIRE_DATE]", "[STRIKE]",
        "[C_BID]", "[C_ASK]", "[C_LAST]", "[C_VOLUME]", "[C_IV]",
        "[P_BID]", "[P_ASK]", "[P_LAST]", "[P_VOLUME]", "[P_IV]"]
CALL_COLS = ["underlying_last", "strike", "c_bid", "c_ask", "c_last", "c_volume", "c_iv"]
STORE = os.environ.get("PY_STORE", "pickle")


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lines_of(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 24)
            if not b:
                return n
            n += b.count(b"\n")


def write_store(df, path):
    if STORE == "pickle":
        df.to_pickle(path)
    elif STORE == "hdf":
        df.to_hdf(path, "chain", mode="w", format="fixed")
    elif STORE == "sqlite":
        import sqlite3
        with sqlite3.connect(path) as db:
            df.to_sql("chain", db, if_exists="replace", index=False, chunksize=100000)
    else:
        sys.exit(f"brief_history.py: PY_STORE={STORE}: pickle, hdf or sqlite")


def read_store(path):
    if STORE == "pickle":
        return pd.read_pickle(path)
    if STORE == "hdf":
        return pd.read_hdf(path, "chain")
    import sqlite3
    with sqlite3.connect(path) as db:
        return pd.read_sql("select * from chain", db,
                           parse_dates=["quote_date", "expire_date"])


def sample():
    rows = int(os.environ.get("PY_ROWS", "0") or 0)
    return rows // 2 if rows > 0 else None


def do_import(src, dst):
    nlines = sample()
    t0 = time.perf_counter()
    df = pd.read_csv(src, sep=",", skipinitialspace=True, usecols=COLS, nrows=nlines)
    t1 = time.perf_counter()
    for c in ("[QUOTE_DATE]", "[EXPIRE_DATE]"):
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d")
    df.columns = [c.strip("[]").lower() for c in df.columns]
    t2 = time.perf_counter()
    write_store(df, dst)
    t3 = time.perf_counter()
    rows = 2 * len(df)
    secs = t3 - t0
    print(f"pandas {pd.__version__} import: {rows} option rows ({len(df)} lines) in {secs:.3f} s, "
          f"{rows / secs / 1e6:.2f}M rows/s (read_csv {t1 - t0:.2f} s, dates {t2 - t1:.2f} s, "
          f"to_{STORE} {t3 - t2:.2f} s, {os.path.getsize(dst) / 1e6:.0f} MB); "
          f"peak RSS {peak_mib():.0f} MiB")
    if nlines is not None:
        total = 2 * (lines_of(src) - 1)
        print(f"pandas import, SAMPLE of {rows} of {total} option rows (PY_ROWS): scaled by rows to all: "
              f"{secs * total / rows:.2f} s, {rows / secs / 1e6:.2f}M rows/s")


def do_replay(path):
    t0 = time.perf_counter()
    df = read_store(path)
    t1 = time.perf_counter()
    rows = 2 * len(df)

    # Every session, one after another: its calls of the expiration
    # nearest 30 days.
    sessions = calls = 0
    for day, g in df.groupby("quote_date", sort=True):
        dte = (g.expire_date - day).dt.days
        dist = (dte[dte > 0] - 30).abs()
        target = g.expire_date[dist.index[dist == dist.min()]].min()
        chain = g.loc[g.expire_date == target, CALL_COLS]
        sessions += 1
        calls += len(chain)
    t2 = time.perf_counter()

    # The same selection for every session at once.
    dte = (df.expire_date - df.quote_date).dt.days
    dist = (dte - 30).abs().where(dte > 0)
    best = dist.groupby(df.quote_date).transform("min")
    target = df.expire_date.where(dist == best).groupby(df.quote_date).transform("min")
    sel = df.loc[df.expire_date == target, ["quote_date"] + CALL_COLS]
    t3 = time.perf_counter()
    if len(sel) != calls:
        sys.exit(f"brief_history.py: the two selections differ ({calls} and {len(sel)} calls)")

    print(f"pandas replay, the whole store read back (read_{STORE}): {rows} option rows in "
          f"{t1 - t0:.3f} s ({rows / (t1 - t0) / 1e6:.1f}M rows/s)")
    print(f"pandas replay, every session's calls of the expiration nearest 30 days (groupby, "
          f"a session at a time): {sessions} sessions in {t2 - t1:.3f} s "
          f"({(t2 - t1) / sessions * 1e6:.0f} us a session, {calls} calls)")
    print(f"pandas replay, the same selection for all sessions at once (groupby transforms): "
          f"{t3 - t2:.3f} s; peak RSS {peak_mib():.0f} MiB")
    nlines = sample()
    if nlines is not None:
        print(f"pandas replay, SAMPLE of {rows} option rows (PY_ROWS): the seconds above are the "
              f"sample's; bench/history.sh scales them by rows")


def main(argv):
    if len(argv) == 4 and argv[1] == "import":
        do_import(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "replay":
        do_replay(argv[2])
    else:
        sys.exit("usage: brief_history.py import FILE STORE | replay STORE")


if __name__ == "__main__":
    main(sys.argv)
