/*  submit — intake's handling of case.submit. */
#ifndef INTAKE_SUBMIT_H_INCLUDED
#define INTAKE_SUBMIT_H_INCLUDED

#include "cg_daemon.h"

typedef struct _intake_t intake_t;

intake_t *intake_new (cg_daemon_t *daemon);
void intake_destroy (intake_t **self_p);
void intake_on_submit (void *request, cg_reply_t *reply, void *arg);

#endif
