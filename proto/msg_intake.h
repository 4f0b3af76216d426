/*  msg_intake — requests coming in.  Part of the one message table; see
    cg_messages.h for how a definition reads.

    Every channel has its own command (hotline.order, grid.report,
    open311.request, device.alarm) shaped as that channel speaks; intake
    normalises each into one case (docs/INTAKE.md).  case.submit is the
    channel-neutral form that the CLI, operators and the consultation
    service use.  Coordinates travel as decimal-degree strings ("32.0101"),
    as Open311 sends them, and are parsed strictly by intake; times at the
    edge are ISO 8601 with an offset. */
#ifndef CG_MSG_INTAKE_H_INCLUDED
#define CG_MSG_INTAKE_H_INCLUDED

#define CG_URL_MAX      1024    /* an attachment, photo or media URL */
#define CG_ISO_MAX      40      /* an ISO 8601 time with its offset */
#define CG_COORD_MAX    16      /* a decimal-degree coordinate */

#define CG_FIELDS_case_submit(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, source, 1, 1, 16, _, "hotline, grid, open311, device, operator, consultation") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's own reference (the hotline's order number, consultation's task id); with source, the idempotency key") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code from the catalog") \
    F(M, STR, text, 1, 1, CG_TEXT_MAX, _, "what the citizen reports") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code; grid, address or lat and lon is required") \
    F(M, STR, address, 0, 1, 256, _, "street address") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude (WGS-84, decimal degrees, as Open311's lat); with lon it places the case in the grid whose boundary holds it when no grid is given") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude (WGS-84, decimal degrees, as Open311's long)") \
    F(M, STR, contact_name, 0, 1, 64, _, "the reporter's name (personal data)") \
    F(M, STR, contact_phone, 0, 3, 20, _, "the reporter's phone (personal data)") \
    F(M, STR, urgency, 0, 1, 16, _, "normal (一般) or urgent (紧急, an emergency: dispatch's urgent limits); normal when absent") \
    F(M, BOOL, merge, 0, 0, 1, _, "join an open case about the same problem as the channels' requests do (docs/INTAKE.md, Duplicates): the gateway asks it for the operator API and Open311; consultation's tasks never")

#define CG_FIELDS_case_submitted(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the case id (for a merged request: the case it joined)") \
    F(M, BOOL, repeat, 0, 0, 1, _, "true when this answers a repeat of an earlier submission") \
    F(M, BOOL, merged, 0, 0, 1, _, "true when the request joined an open case as a supporter (me too)") \
    F(M, INT, supporters, 0, 0, INT32_MAX, _, "requests behind the case, the first one included (merged only)") \
    F(M, BOOL, known_caller, 0, 0, 1, _, "the caller has called about this case before") \
    F(M, BOOL, unplaced, 0, 0, 1, _, "intake could not place it; it waits in the county's triage queue") \
    F(M, STR, receipt, 0, 1, 48, _, "a supervision report's receipt (power.report): the reporter follows the case by it, GET /api/v1/public/receipts/{receipt}")

#define CG_FIELDS_hotline_order(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, order_no, 1, 1, 64, _, "the hotline's order number (工单编号); the idempotency key") \
    F(M, STR, call_time, 1, 1, CG_ISO_MAX, _, "when the citizen called, ISO 8601 with offset") \
    F(M, STR, caller_name, 0, 1, 64, _, "the caller's name (personal data)") \
    F(M, STR, caller_phone, 0, 3, 20, _, "the caller's phone (personal data)") \
    F(M, STR, class, 1, 1, 16, _, "request class: 投诉 求助 建议 咨询 举报 表扬 (or complaint, help, suggestion, consultation, report, praise)") \
    F(M, STR, category, 0, 1, 64, _, "the hotline's own classification, mapped by the intake category table") \
    F(M, STR, content, 1, 1, CG_TEXT_MAX, _, "what the caller said (诉求内容)") \
    F(M, STR, address, 0, 1, 256, _, "the address the caller gave") \
    F(M, STR, area_code, 0, 6, CG_CODE_MAX, _, "the area (county or deeper) the hotline assigned, GB/T 2260") \
    F(M, STR, urgency, 0, 1, 16, _, "normal (一般) or urgent (紧急); normal when absent") \
    F(M, STRS, attachments, 0, 0, 10, _, "attachment URLs (http or https)") \
    F(M, STR, time_limit, 0, 1, CG_ISO_MAX, _, "the hotline's own deadline (办理时限), ISO 8601 with offset")

#define CG_FIELDS_grid_report(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, report_id, 1, 1, 64, _, "the app's report id; the idempotency key") \
    F(M, STR, worker, 1, 1, 64, _, "the grid worker's id") \
    F(M, STR, grid, 1, 1, CG_CODE_MAX, _, "the worker's grid code") \
    F(M, STR, category, 1, 1, 64, _, "category: a catalog code or the app's own, mapped") \
    F(M, STR, text, 1, 1, CG_TEXT_MAX, _, "what the worker found") \
    F(M, STRS, photos, 0, 0, 9, _, "photo URLs (http or https), or the addresses of photos uploaded to the gateway (photo:<sha-256>.<ext>)") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude, decimal degrees") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude, decimal degrees") \
    F(M, STR, at, 0, 1, CG_ISO_MAX, _, "when it was found, ISO 8601 with offset")

#define CG_FIELDS_open311_attribute(F, M) \
    F(M, STR, code, 1, 1, 64, _, "attribute code from the service definition") \
    F(M, STR, value, 1, 0, 256, _, "its value")

#define CG_FIELDS_open311_request(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the gateway's reference for the POST, when it has one; the idempotency key") \
    F(M, STR, service_code, 1, 1, 64, _, "GeoReport v2 service_code") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude (WGS-84); lat and lon, address_string or address_id is required") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude (WGS-84; GeoReport's `long`, a C keyword)") \
    F(M, STR, address_string, 0, 1, 256, _, "the address in words") \
    F(M, STR, address_id, 0, 1, CG_CODE_MAX, _, "an org-tree code (grid or community) from the address registry") \
    F(M, STR, description, 0, 1, CG_TEXT_MAX, _, "the request, up to 4000 bytes") \
    F(M, STR, media_url, 0, 1, CG_URL_MAX, _, "a photo URL") \
    F(M, STR, email, 0, 3, 128, _, "the requester's e-mail (personal data)") \
    F(M, STR, device_id, 0, 1, 64, _, "the requester's device") \
    F(M, STR, account_id, 0, 1, 64, _, "the requester's account") \
    F(M, STR, first_name, 0, 1, 64, _, "personal data") \
    F(M, STR, last_name, 0, 1, 64, _, "personal data") \
    F(M, STR, phone, 0, 3, 20, _, "personal data") \
    F(M, LIST, attributes, 0, 0, 32, open311_attribute, "answers to the service definition's attributes") \
    F(M, STR, within, 0, 1, CG_CODE_MAX, _, "the org node the request must be placed in (the gateway's, from a scoped api_key); placed elsewhere or nowhere, it is refused naming the field that placed it")

#define CG_FIELDS_device_alarm(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, alarm_id, 1, 1, 64, _, "the vendor's alarm id; with device, the idempotency key") \
    F(M, STR, device, 1, 1, 64, _, "device id, as registered") \
    F(M, STR, vendor, 0, 1, 64, _, "the vendor sending it (the gateway sets it from the vendor's token); when given, the device must be registered to that vendor") \
    F(M, STR, type, 1, 1, 16, _, "sos, fall, inactivity, vital") \
    F(M, STR, resident, 0, 1, 64, _, "the resident wearing it (personal data); the registry's when absent") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude; the device's home when absent") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude") \
    F(M, STR, detail, 0, 1, 256, _, "vital signs or the vendor's note") \
    F(M, STR, at, 1, 1, CG_ISO_MAX, _, "when the device raised it, ISO 8601 with offset")

#define CG_FIELDS_device_answer(F, M) \
    F(M, BOOL, accepted, 1, 0, 1, _, "true when the alarm became (or already was) a case") \
    F(M, STR, reason, 0, 1, 32, _, "why not: unknown_device, stale_alarm, bad_location") \
    F(M, STR, message, 0, 1, 192, _, "the reason in words") \
    F(M, STR, id, 0, 1, 32, _, "the case id when accepted") \
    F(M, BOOL, repeat, 0, 0, 1, _, "true when this answers a repeat")

#define CG_FIELDS_device_cancel(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, device, 1, 1, 64, _, "device id") \
    F(M, STR, vendor, 0, 1, 64, _, "the vendor withdrawing it; when given, the device must be registered to that vendor") \
    F(M, STR, alarm_id, 1, 1, 64, _, "the alarm to cancel") \
    F(M, STR, reason, 0, 1, 256, _, "why (a false alarm, the resident answered)")

#define CG_FIELDS_intake_get(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, role, 0, 1, 32, _, "the asker's role; only roles in intake/reveal_roles see contacts unmasked") \
    F(M, STR, photo, 0, 1, 80, _, "a photo's address (photo:<sha-256>.<ext>): the view's media is then that photo alone when a request behind the case brought it, else empty (the gateway's check before it serves one)")

#define CG_FIELDS_intake_view(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, source, 1, 1, 16, _, "channel") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's reference") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, contact_name, 0, 1, 64, _, "the reporter's name, masked unless the role may see it") \
    F(M, STR, contact_phone, 0, 1, 20, _, "the reporter's phone, masked unless the role may see it") \
    F(M, STR, contact_email, 0, 1, 128, _, "the reporter's e-mail, masked unless the role may see it") \
    F(M, STR, detail, 0, 1, 1024, _, "what the channel said beyond the case: worker, device, account, attributes") \
    F(M, INT, supporters, 1, 1, INT32_MAX, _, "requests behind the case (me too), the first included") \
    F(M, INT, calls, 1, 1, INT32_MAX, _, "requests and repeated calls about it in all") \
    F(M, STRS, media, 0, 0, 10, _, "the first request's attachments and photos, then the photos later requests brought, ten at most: links, and photo:<sha-256>.<ext> for a photo the gateway keeps (GET /api/v1/cases/{id}/photos/{name})")

#define CG_FIELDS_case_received(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, source, 1, 1, 16, _, "channel it came from") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's own reference") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, text, 1, 1, CG_TEXT_MAX, _, "the request") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code") \
    F(M, STR, address, 0, 1, 256, _, "address") \
    F(M, STR, contact, 0, 1, 32, _, "the reporter's phone, masked (138****5678)") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when intake accepted it") \
    F(M, STR, place, 0, 1, CG_CODE_MAX, _, "the most precise org node intake found: the grid, else the community an address matched") \
    F(M, BOOL, unplaced, 0, 0, 1, _, "intake could not place it: it belongs in the triage queue of `county`") \
    F(M, STR, county, 0, 1, CG_CODE_MAX, _, "the county center for triage (the area code's county, else absent: the city)") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent: a device alarm, or the hotline marked it 紧急") \
    F(M, STR, class, 0, 1, 16, _, "the hotline's request class: complaint, help, suggestion, consultation, report, praise") \
    F(M, INT, reported, 0, 0, CG_TIME_MAX, _, "when the citizen reported it (the call time, the alarm's time)") \
    F(M, INT, due, 0, 0, CG_TIME_MAX, _, "the source's own deadline (the hotline's time limit)") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude when the source gave one; else the centre of its grid's boundary, when surveyed") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude") \
    F(M, STRS, media, 0, 0, 10, _, "attachment and photo URLs")

#define CG_FIELDS_record_resealed(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the case whose record was sealed again") \
    F(M, INT, version, 1, 2, 99, _, "the version of the key that seals it now") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_case_merged(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the open case the request joined") \
    F(M, STR, source, 1, 1, 16, _, "the new request's channel") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the new request's own reference") \
    F(M, INT, supporters, 1, 1, INT32_MAX, _, "requests behind the case now") \
    F(M, BOOL, known_caller, 0, 0, 1, _, "the caller had called about this case before (not counted again)") \
    F(M, STR, contact, 0, 1, 32, _, "the new reporter's phone, masked") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_case_withdrawn(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, source, 1, 1, 16, _, "who withdrew it: device (the vendor cancelled the alarm)") \
    F(M, STR, reason, 0, 1, 256, _, "why") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_intake_record(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, source, 1, 1, 16, _, "channel") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's reference") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, name_sealed, 0, 1, 512, _, "the reporter's name, sealed (cg_privacy.h)") \
    F(M, STR, phone_sealed, 0, 1, 512, _, "the reporter's phone, sealed") \
    F(M, STR, email_sealed, 0, 1, 512, _, "the reporter's e-mail, sealed") \
    F(M, STR, detail, 0, 1, 1024, _, "what the channel said beyond the case: worker, device, attributes") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when intake accepted it") \
    F(M, STRS, media, 0, 0, 10, _, "its attachments and photos: links (http, https) and the addresses of photos the gateway keeps (photo:<sha-256>.<ext>)")

#define CG_MESSAGES_INTAKE(M) \
    M(case_submit, "case.submit", "command", CG_FIELDS_case_submit, \
      "To intake: a citizen's request from any channel. Idempotent by rid, and by (source, ext_ref).") \
    M(case_submitted, "case.submitted", "reply", CG_FIELDS_case_submitted, \
      "The answer to case.submit and to every channel's command but device.alarm.") \
    M(hotline_order, "hotline.order", "command", CG_FIELDS_hotline_order, \
      "To intake: a 12345 hotline work order (docs/INTAKE.md). Idempotent by order_no.") \
    M(grid_report, "grid.report", "command", CG_FIELDS_grid_report, \
      "To intake: a grid worker's report from the app. Idempotent by report_id.") \
    M(open311_attribute, "open311.attribute", "record", CG_FIELDS_open311_attribute, \
      "One answer to a service definition's attribute.") \
    M(open311_request, "open311.request", "command", CG_FIELDS_open311_request, \
      "To intake: a GeoReport v2 service request, as the gateway received it.") \
    M(device_alarm, "device.alarm", "command", CG_FIELDS_device_alarm, \
      "To intake: an alarm from a registered device. Idempotent by (device, alarm_id).") \
    M(device_answer, "device.answer", "reply", CG_FIELDS_device_answer, \
      "The answer to device.alarm: accepted, or rejected with a reason.") \
    M(device_cancel, "device.cancel", "command", CG_FIELDS_device_cancel, \
      "To intake: the vendor withdraws an alarm; answered with case.submitted.") \
    M(intake_get, "intake.get", "command", CG_FIELDS_intake_get, \
      "To intake, as intake.show: who reported a case and how many support it.") \
    M(intake_view, "intake.view", "reply", CG_FIELDS_intake_view, \
      "A case as intake keeps it, contacts masked unless the role may see them.") \
    M(case_received, "case.received", "event", CG_FIELDS_case_received, \
      "Intake accepted a request as a new case (journal intake).") \
    M(case_merged, "case.merged", "event", CG_FIELDS_case_merged, \
      "A request joined an open case as a supporter (journal intake).") \
    M(record_resealed, "record.resealed", "event", CG_FIELDS_record_resealed, \
      "A case's record was sealed again under the newest key: the same data (journal intake).") \
    M(case_withdrawn, "case.withdrawn", "event", CG_FIELDS_case_withdrawn, \
      "The source withdrew a case it raised (journal intake).") \
    M(intake_record, "intake.record", "record", CG_FIELDS_intake_record, \
      "What intake keeps of a request (in cg:{intake}:req:ID), personal data sealed.")

#endif
