/*
 * commands.h: the dispatch table, one row per command message of Keboola's protocol (c-style-anchors
 * practice 14). A row says who may call the command, whether it writes, and which handler serves it; a row
 * without a handler is answered with code 900 "not supported". The dispatcher, not the handlers, enforces the
 * flags.
 */
#ifndef DS_COMMANDS_H
#define DS_COMMANDS_H

#include <stddef.h>

#include "driver/handler.h"

enum {
  DS_CMD_ADMIN = 1, /* root command: the admin key only */
  DS_CMD_WRITE = 2, /* changes data or metadata */
  DS_CMD_SLOW = 4,  /* may run for seconds or more (data commands): served off the gRPC worker threads */
};

typedef struct ds_command {
  const char *name; /* short name, e.g. "CreateProjectCommand" (metrics and logs) */
  const ProtobufCMessageDescriptor *desc;
  ds_handler_fn fn; /* NULL: not supported (yet) */
  unsigned flags;
} ds_command;

extern const ds_command ds_commands[];
extern const size_t ds_commands_count;

/* Finds a command by its full message name; returns its index or -1. */
int ds_command_find(const char *full_name);

#endif
