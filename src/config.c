/* placeholder until config.c lands */
#include "config.h"
#include "util/util.h"
void config_defaults(struct config *c) { (void)c; }
int config_load_file(struct config *c, const char *path, char *err) { (void)c; (void)path; (void)err; return 0; }
int config_load_env(struct config *c, char *err) { (void)c; (void)err; return 0; }
int config_set_pair(struct config *c, const char *pair, char *err) { (void)c; (void)pair; (void)err; return 0; }
