/*
 * banned.h - libc calls we never use (git's banned.h idea).
 *
 * Included last by every translation unit of papertrade (through util.h), it
 * turns each unsafe or process-global call into a compile error. Use the
 * bounded or reentrant variant named in the message instead.
 */
#ifndef PT_BANNED_H
#define PT_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef atoi
#define atoi(s) BANNED(atoi)
#undef atol
#define atol(s) BANNED(atol)
#undef atof
#define atof(s) BANNED(atof)
#undef mktemp
#define mktemp(s) BANNED(mktemp)
#undef gets
#define gets(s) BANNED(gets)

#endif
