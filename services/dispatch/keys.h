/*  keys — the prefix of dispatch's keys in Redis, which it alone writes
    (docs/ARCHITECTURE.md, "the journal contract"); cg_case.h spells the
    case's hash for the daemons that read it. */
#ifndef DISPATCH_KEYS_H_INCLUDED
#define DISPATCH_KEYS_H_INCLUDED

#define S_PREFIX    "cg:{dispatch}:"

#endif
