/*  msg_powers — the lists of small and micro powers (小微权力清单) and the
    reports of their misuse (码上监督), both intake's (docs/INTAKE.md,
    "Powers").  Part of the one message table; see cg_messages.h.

    A list is read by anyone: the gateway serves it without a token under
    /api/v1/public/powers/.  A report becomes a supervision case; its
    reporter follows it by the receipt intake gives, which names the case
    and carries a keyed check, so that no one follows a case by guessing
    its number. */
#ifndef CG_MSG_POWERS_H_INCLUDED
#define CG_MSG_POWERS_H_INCLUDED

#include "cg_powers.h"

#define CG_RECEIPT_MAX  48      /* a receipt: the case id, '-', 10 hex digits */

#define CG_FIELDS_power_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, area, 1, 6, 15, _, "the village's or community's org code") \
    F(M, STR, code, 0, 1, CG_POWER_CODE_MAX, _, "the power's code in its area (powers.show)")

#define CG_FIELDS_power_item(F, M) \
    F(M, STR, code, 1, 1, CG_POWER_CODE_MAX, _, "the power's code in its area") \
    F(M, STR, matter, 1, 1, CG_POWER_MATTER_MAX, _, "the matter (村级工程项目)") \
    F(M, STR, holder, 1, 1, CG_POWER_MATTER_MAX, _, "who holds it (村民委员会)") \
    F(M, STR, status, 1, 1, 16, _, "active or withdrawn") \
    F(M, INT, reports, 0, 0, INT64_MAX, _, "reports of its misuse taken so far (码上监督)")

#define CG_FIELDS_power_page(F, M) \
    F(M, STR, area, 1, 6, 15, _, "the village or community") \
    F(M, STR, name, 1, 1, CG_NAME_MAX, _, "its name, with its town's (西亭镇通江村)") \
    F(M, INT, version, 1, 1, 999999, _, "the list's version") \
    F(M, LIST, items, 0, 0, CG_POWERS_MAX, power_item, "the powers, in the list's order")

#define CG_FIELDS_power_view(F, M) \
    F(M, STR, area, 1, 6, 15, _, "the village or community") \
    F(M, STR, name, 1, 1, CG_NAME_MAX, _, "its name, with its town's") \
    F(M, INT, version, 1, 1, 999999, _, "the list's version") \
    F(M, STR, code, 1, 1, CG_POWER_CODE_MAX, _, "the power's code") \
    F(M, STR, status, 1, 1, 16, _, "active or withdrawn (no longer held: shown, not reported on)") \
    F(M, STR, matter, 1, 1, CG_POWER_MATTER_MAX, _, "the matter") \
    F(M, STR, holder, 1, 1, CG_POWER_MATTER_MAX, _, "who holds it") \
    F(M, STR, time_limit, 1, 1, CG_POWER_LIMIT_MAX, _, "its time limit") \
    F(M, STR, basis, 1, 1, CG_POWER_BASIS_MAX, _, "its legal basis") \
    F(M, STRS, steps, 1, 1, CG_POWER_STEPS_MAX, _, "the steps, in order (each at most 512 bytes)") \
    F(M, INT, reports, 0, 0, INT64_MAX, _, "reports of its misuse taken so far")

#define CG_FIELDS_power_report(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, area, 1, 6, 15, _, "the village or community whose power it is") \
    F(M, STR, code, 1, 1, CG_POWER_CODE_MAX, _, "the power misused") \
    F(M, STR, text, 1, 1, CG_POWER_REPORT_MAX, _, "what happened: who, when, what was done against the steps (3600 bytes: the case's text begins with the power)") \
    F(M, STR, contact_name, 0, 1, 64, _, "the reporter's name, when they give it (personal data; anonymous without)") \
    F(M, STR, contact_phone, 0, 3, 20, _, "the reporter's phone, when they give it (personal data)")

#define CG_FIELDS_powers_loaded(F, M) \
    F(M, INT, areas, 1, 0, INT32_MAX, _, "areas with a list now in use") \
    F(M, INT, powers, 1, 0, INT32_MAX, _, "powers in them, withdrawn ones included") \
    F(M, INT, superseded, 1, 0, INT32_MAX, _, "lists this load replaced with a newer version")

#define CG_FIELDS_receipt_check(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, receipt, 1, 1, CG_RECEIPT_MAX, _, "the receipt a supervision report got")

#define CG_FIELDS_receipt_case(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the case the receipt names")

#define CG_FIELDS_power_area(F, M) \
    F(M, STR, area, 1, 6, 15, _, "the village or community") \
    F(M, STR, name, 1, 1, CG_NAME_MAX, _, "its name, with its town's") \
    F(M, INT, version, 1, 1, 999999, _, "its list's version") \
    F(M, INT, powers, 0, 0, CG_POWERS_MAX, _, "powers in its list, withdrawn ones included")

#define CG_FIELDS_power_areas(F, M) \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "the org node asked about") \
    F(M, LIST, areas, 0, 0, CG_PICK_MAX, power_area, "the areas with a list within scope, in the org tree's order, limit at most") \
    F(M, INT, total, 0, 0, INT32_MAX, _, "the areas with a list within scope, all of them")

#define CG_MESSAGES_POWERS(M) \
    M(power_query, "power.query", "command", CG_FIELDS_power_query, \
      "To intake, as powers.list (an area's list) or powers.show (one power, by code).") \
    M(power_area, "power.area", "record", CG_FIELDS_power_area, \
      "A village or community with a list of powers.") \
    M(power_areas, "power.areas", "reply", CG_FIELDS_power_areas, \
      "The areas with a list of powers within a scope (a picking list, bounded).") \
    M(power_item, "power.item", "record", CG_FIELDS_power_item, \
      "A power in its area's list.") \
    M(power_page, "power.page", "reply", CG_FIELDS_power_page, \
      "An area's list of small and micro powers (小微权力清单): every item, withdrawn ones too.") \
    M(power_view, "power.view", "reply", CG_FIELDS_power_view, \
      "One power: how it must be used (the steps, the time limit, the legal basis).") \
    M(power_report, "power.report", "command", CG_FIELDS_power_report, \
      "To intake: a report of a power's misuse (码上监督), made a supervision case; answered with case.submitted and its receipt. A withdrawn or unknown power is refused naming code.") \
    M(powers_loaded, "powers.loaded", "reply", CG_FIELDS_powers_loaded, \
      "What powers.reload (a data.reload to intake) put in use.") \
    M(receipt_check, "receipt.check", "command", CG_FIELDS_receipt_check, \
      "To intake: the case a supervision report's receipt names; not_found when the receipt is not one intake gave.") \
    M(receipt_case, "receipt.case", "reply", CG_FIELDS_receipt_case, \
      "The case of a receipt.")

#endif
