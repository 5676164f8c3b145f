/*
 * date.h - civil dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian). Every session date, expiry and ex-date in papertrade is one of
 * these ints; they sort and subtract like numbers. Pure arithmetic, no I/O.
 */
#ifndef PT_DATE_H
#define PT_DATE_H

/* Longest text of a date, "YYYY-MM-DD" plus NUL. */
#define DATE_BUFSZ 11

int date_from_ymd(int y, int m, int d);
void date_to_ymd(int day, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int date_weekday(int day);
/* Days in month m (1-12) of year y. */
int date_days_in_month(int y, int m);
/* Strict "YYYY-MM-DD" with a real calendar day, years 1900-2199. Returns 0 or -1. */
int date_parse(const char *s, int *out);
/* Writes "YYYY-MM-DD" into buf (DATE_BUFSZ bytes) and returns buf. */
char *date_fmt(int day, char *buf);

#endif
