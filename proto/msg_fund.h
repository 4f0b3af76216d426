/*  msg_fund — the charity fund and the time bank (慈善基金, 时间银行).
    Part of the one message table; see cg_messages.h for how a definition
    reads.

    Amounts are integers in the unit of their ledger: `cny` counts fen (分),
    `min` counts minutes of the time bank.  A transfer id is a client-made
    128-bit number written as 32 hex digits; a transfer with an id that was
    already applied is not applied again and answers `exists` with the
    first result (docs/FUND.md). */
#ifndef CG_MSG_FUND_H_INCLUDED
#define CG_MSG_FUND_H_INCLUDED

#define CG_FUND_AMOUNT_MAX  INT64_C(10000000000000)    /* 10^13; balances stay below 10^14 */
#define CG_FUND_BATCH_MAX   1000                        /* transfers in one call */

#define CG_FIELDS_fund_account(F, M) \
    F(M, STR, id, 1, 1, 64, _, "account id: letters, digits and . _ -") \
    F(M, STR, ledger, 1, 1, 16, _, "cny (fen), min (time-bank minutes), pts (resident points) or g.ITEM (units of an item kind in kind)") \
    F(M, STR, kind, 0, 1, 16, _, "fund, project, donors, beneficiaries, custodian, volunteer, issuer") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "what people call it") \
    F(M, STR, fund, 0, 1, 64, _, "the fund it belongs to") \
    F(M, STRS, flags, 0, 0, 4, _, "no_overdraft (debits may not exceed credits, pending included), no_overcredit") \
    F(M, INT, debits_pending, 0, 0, INT64_MAX, _, "reserved by pending transfers, debit side") \
    F(M, INT, debits_posted, 0, 0, INT64_MAX, _, "posted debits") \
    F(M, INT, credits_pending, 0, 0, INT64_MAX, _, "reserved by pending transfers, credit side") \
    F(M, INT, credits_posted, 0, 0, INT64_MAX, _, "posted credits")

#define CG_FIELDS_fund_account_create(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, LIST, accounts, 1, 1, 100, fund_account, "the accounts to open (balances are ignored)") \
    F(M, STR, actor, 1, 1, 64, _, "who acts, as the gateway vouches: NAME, or KIND:SCOPE:NAME / admin:NAME (docs/FUND.md, who may do what)") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role: operator, supervisor, admin, grid_worker, ...")

#define CG_FIELDS_fund_get(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 64, _, "account, request or fund id") \
    F(M, STR, month, 0, 7, 7, _, "fund.report: the month, YYYY-MM") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "fund.statement: where to go on: the `next` of the page before (absent: the first entry)") \
    F(M, INT, limit, 0, 0, 200, _, "fund.statement: at most this many (default 50)") \
    F(M, STR, actor, 0, 1, 64, _, "fund.publish: who publishes (reads need none: the ledger is public)") \
    F(M, STR, role, 0, 1, 32, _, "fund.publish: the actor's role")

#define CG_FIELDS_fund_transfer(F, M) \
    F(M, STR, id, 1, 32, 32, _, "transfer id: 32 hex digits, made by the client, not all zero") \
    F(M, STR, debit, 0, 1, 64, _, "the account debited (may be left out when posting or voiding)") \
    F(M, STR, credit, 0, 1, 64, _, "the account credited (idem)") \
    F(M, INT, amount, 0, 0, CG_FUND_AMOUNT_MAX, _, "fen or minutes; > 0, except 0 = all when posting or voiding") \
    F(M, STR, ledger, 0, 1, 16, _, "must match both accounts' ledger when given") \
    F(M, INT, code, 0, 0, 65535, _, "the reason, for reports") \
    F(M, STRS, flags, 0, 0, 4, _, "linked, pending, post_pending, void_pending") \
    F(M, STR, pending_id, 0, 32, 32, _, "the pending transfer to post or void") \
    F(M, INT, timeout, 0, 0, 31536000, _, "pending only: seconds after which it voids itself") \
    F(M, STR, memo, 0, 1, 200, _, "a note, public in the ledger")

#define CG_FIELDS_fund_transfer_batch(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, LIST, transfers, 1, 1, CG_FUND_BATCH_MAX, fund_transfer, "applied in order; linked ones all or none") \
    F(M, STR, actor, 1, 1, 64, _, "who acts, as the gateway vouches: NAME, or KIND:SCOPE:NAME / admin:NAME (docs/FUND.md, who may do what)") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role: operator, supervisor, admin, grid_worker, ...")

#define CG_FIELDS_fund_result(F, M) \
    F(M, STR, id, 1, 1, 64, _, "the transfer (or account) id") \
    F(M, STR, result, 1, 1, 48, _, "ok, exists, or why it was refused (exceeds_credits, ...)") \
    F(M, INT, entry, 0, 0, INT64_MAX, _, "its entry in the ledger (ok, exists)")

#define CG_FIELDS_fund_results(F, M) \
    F(M, LIST, results, 0, 0, CG_FUND_BATCH_MAX, fund_result, "one per transfer or account, in order")

#define CG_FIELDS_fund_donate(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 32, 32, _, "transfer id (32 hex digits): a retry gives the same receipt") \
    F(M, STR, fund, 1, 1, 64, _, "the fund") \
    F(M, STR, project, 0, 1, 32, _, "an earmarked project of the fund") \
    F(M, STR, donor, 0, 1, CG_NAME_MAX, _, "the donor's name") \
    F(M, BOOL, anonymous, 0, 0, 1, _, "publish the donation as 匿名 (anonymous)") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "fen") \
    F(M, STR, channel, 1, 1, 16, _, "cash, bank, wechat, alipay, goods") \
    F(M, STR, ref, 0, 1, 64, _, "the channel's own reference (bank slip, payment number)") \
    F(M, STR, actor, 1, 1, 64, _, "who takes the donation, as the gateway vouches: NAME, or KIND:SCOPE:NAME / admin:NAME (docs/FUND.md, who may do what)") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role: operator, supervisor, admin, grid_worker, ...")

#define CG_FIELDS_fund_receipt(F, M) \
    F(M, STR, receipt, 1, 1, 64, _, "receipt number (捐赠票据号)") \
    F(M, STR, id, 1, 32, 32, _, "transfer id") \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, account, 1, 1, 64, _, "the account credited") \
    F(M, STR, donor, 1, 1, CG_NAME_MAX, _, "as published: the name, or 匿名") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "fen") \
    F(M, STR, channel, 1, 1, 16, _, "channel") \
    F(M, INT, entry, 1, 1, INT64_MAX, _, "its ledger entry") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, BOOL, repeat, 0, 0, 1, _, "this id was given before; the first receipt again") \
    F(M, STR, taken_by, 0, 1, 64, _, "who recorded the donation (the actor)")

#define CG_FIELDS_fund_request(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 32, 32, _, "the pending transfer's id (32 hex digits); names the request") \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, project, 0, 1, 32, _, "the project paying; the fund itself when absent") \
    F(M, STR, beneficiary, 1, 1, CG_NAME_MAX, _, "who receives it (masked when published); time bank: the volunteer") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "fen, or minutes") \
    F(M, STR, purpose, 1, 1, 500, _, "what it is for") \
    F(M, STRS, attachments, 0, 0, 20, _, "references to supporting documents") \
    F(M, STR, served, 0, 1, 64, _, "time bank: the person served, who confirms") \
    F(M, STR, resolution, 0, 1, 32, _, "the consultation topic (议题) whose adopted resolution (议事决议) is behind it") \
    F(M, STR, actor, 1, 1, 64, _, "who asks (the requester), as the gateway vouches: NAME, or KIND:SCOPE:NAME / admin:NAME (docs/FUND.md, who may do what)") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role: operator, supervisor, admin, grid_worker, ...")

#define CG_FIELDS_fund_request_view(F, M) \
    F(M, STR, id, 1, 32, 32, _, "request and pending transfer id") \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, project, 0, 1, 32, _, "project") \
    F(M, STR, beneficiary, 1, 1, CG_NAME_MAX, _, "who receives it") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "amount") \
    F(M, STR, ledger, 0, 1, 8, _, "the amount's unit: cny (fen) or min (minutes)") \
    F(M, STR, purpose, 1, 1, 500, _, "purpose") \
    F(M, STRS, attachments, 0, 0, 20, _, "documents") \
    F(M, STR, requester, 1, 1, 64, _, "who asked: the actor's name") \
    F(M, STR, resolution, 0, 1, 32, _, "the consultation topic whose resolution is behind it") \
    F(M, STR, state, 1, 1, 16, _, "pending, approved, rejected, expired") \
    F(M, INT, need, 1, 1, 100, _, "approvals needed") \
    F(M, STRS, approvers, 0, 0, 100, _, "who may approve") \
    F(M, STRS, approvals, 0, 0, 100, _, "who approved so far") \
    F(M, STR, decided_by, 0, 1, 64, _, "who rejected it, or whose approval posted it") \
    F(M, STR, note, 0, 1, 500, _, "the reason given at the decision") \
    F(M, INT, expires, 0, 0, CG_TIME_MAX, _, "when it voids itself undecided") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was made") \
    F(M, BOOL, repeat, 0, 0, 1, _, "this id was given before")

#define CG_FIELDS_fund_decide(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 32, 32, _, "the request") \
    F(M, STR, actor, 1, 1, 64, _, "the committee member (or the person served), as the gateway vouches: NAME, or KIND:SCOPE:NAME") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role") \
    F(M, STR, note, 0, 1, 500, _, "why")

#define CG_FIELDS_fund_approval_requested(F, M) \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, id, 1, 32, 32, _, "request id") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "amount") \
    F(M, STR, purpose, 1, 1, 500, _, "purpose") \
    F(M, STR, requester, 1, 1, 64, _, "who asked") \
    F(M, INT, need, 1, 1, 100, _, "approvals needed") \
    F(M, STRS, approvers, 1, 1, 100, _, "who may approve (to be told)") \
    F(M, INT, expires, 0, 0, CG_TIME_MAX, _, "the deadline") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_fund_decided(F, M) \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, id, 1, 32, 32, _, "request id") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "amount") \
    F(M, STR, state, 1, 1, 16, _, "approved, rejected, expired") \
    F(M, STR, actor, 0, 1, 64, _, "who decided") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, STR, requester, 0, 1, 64, _, "who asked (to be told)")

#define CG_FIELDS_fund_donated(F, M) \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, account, 1, 1, 64, _, "the account credited") \
    F(M, STR, id, 1, 32, 32, _, "transfer id") \
    F(M, STR, donor, 1, 1, CG_NAME_MAX, _, "as published") \
    F(M, INT, amount, 1, 1, CG_FUND_AMOUNT_MAX, _, "fen") \
    F(M, STR, channel, 1, 1, 16, _, "channel") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_fund_entry(F, M) \
    F(M, INT, seq, 1, 1, INT64_MAX, _, "position in the ledger, from 1") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, STR, kind, 1, 1, 8, _, "posted, pending, post, void, expire") \
    F(M, STR, id, 1, 1, 32, _, "transfer id") \
    F(M, STR, ledger, 1, 1, 16, _, "ledger") \
    F(M, STR, debit, 1, 1, 64, _, "debited account") \
    F(M, STR, credit, 1, 1, 64, _, "credited account") \
    F(M, INT, amount, 1, 0, CG_FUND_AMOUNT_MAX, _, "amount") \
    F(M, STR, pending_id, 0, 1, 32, _, "the pending transfer (post, void, expire)") \
    F(M, INT, code, 0, 0, 65535, _, "reason code") \
    F(M, STR, memo, 0, 1, 200, _, "note") \
    F(M, STR, hash, 0, 64, 64, _, "SHA-256 of the previous hash and this entry (hex)")

#define CG_FIELDS_fund_statement(F, M) \
    F(M, STR, account, 1, 1, 64, _, "account") \
    F(M, INT, total, 1, 0, INT64_MAX, _, "entries of the account") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, entries, 0, 0, 200, fund_entry, "this page, oldest first")

#define CG_FIELDS_fund_verified(F, M) \
    F(M, BOOL, ok, 1, 0, 1, _, "the chain and every balance check out") \
    F(M, INT, entries, 1, 0, INT64_MAX, _, "entries checked") \
    F(M, STR, head, 0, 64, 64, _, "the hash of the last entry") \
    F(M, INT, broken_at, 0, 0, INT64_MAX, _, "the first entry that does not verify") \
    F(M, STR, problem, 0, 1, 192, _, "what is wrong there")

#define CG_FIELDS_fund_line(F, M) \
    F(M, STR, label, 1, 1, CG_NAME_MAX, _, "a source, project or pending item") \
    F(M, INT, amount, 1, 0, INT64_MAX, _, "total") \
    F(M, INT, count, 1, 0, INT64_MAX, _, "how many")

#define CG_FUND_REQUESTS_PAGE  20  /* requests in one page of fund.requests (each up to 10 KB) */

#define CG_FIELDS_fund_requests_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, fund, 1, 1, 64, _, "the fund") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the newest)") \
    F(M, INT, limit, 0, 0, CG_FUND_REQUESTS_PAGE, _, "at most this many (default and most 20)")

#define CG_FIELDS_fund_requests_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "requests the fund ever had") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, requests, 0, 0, CG_FUND_REQUESTS_PAGE, fund_request_view, "this page, newest first, each where it stands (pending ones await approval)")

#define CG_FIELDS_fund_report(F, M) \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, ledger, 1, 1, 8, _, "cny or min") \
    F(M, STR, month, 1, 7, 7, _, "YYYY-MM") \
    F(M, INT, opening, 1, INT64_MIN, INT64_MAX, _, "balance at the start of the month") \
    F(M, INT, income, 1, 0, INT64_MAX, _, "donations in the month") \
    F(M, INT, spending, 1, 0, INT64_MAX, _, "disbursements in the month") \
    F(M, INT, other, 1, INT64_MIN, INT64_MAX, _, "other movements in and out (transfers to other funds, fees)") \
    F(M, INT, closing, 1, INT64_MIN, INT64_MAX, _, "balance at the end of the month") \
    F(M, LIST, donations, 0, 0, CG_PAGE_MAX, fund_line, "donations by source (donors as they chose)") \
    F(M, LIST, disbursements, 0, 0, CG_PAGE_MAX, fund_line, "disbursements by project") \
    F(M, LIST, pending, 0, 0, CG_PAGE_MAX, fund_line, "requests still undecided at the end, beneficiaries masked") \
    F(M, LIST, goods, 0, 0, CG_PAGE_MAX, fund_stock_line, "goods in kind of the charity sites in the fund's area, per site and item kind") \
    F(M, INT, entries, 1, 0, INT64_MAX, _, "ledger entries up to the end of the month") \
    F(M, STR, head, 0, 64, 64, _, "the chain hash of the last of them, to check against `fund verify`") \
    F(M, INT, due, 1, 0, CG_TIME_MAX, _, "when it must be published") \
    F(M, INT, published, 0, 0, CG_TIME_MAX, _, "when it was published, if it was")

#define CG_FIELDS_fund_report_overdue(F, M) \
    F(M, STR, fund, 1, 1, 64, _, "fund") \
    F(M, STR, month, 1, 7, 7, _, "YYYY-MM") \
    F(M, INT, due, 1, 0, CG_TIME_MAX, _, "when it was due") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when the alarm was raised") \
    F(M, STR, area, 0, 1, CG_CODE_MAX, _, "the community (or town) the fund serves") \
    F(M, STRS, committee, 0, 0, 100, _, "the fund's committee (to be told)")


/*  Goods in kind (慈善小屋, 慈善超市) and resident points (积分): ledgers of
    the same engine, one per item kind (`g.ITEM`, whole units) and `pts`
    for points (docs/FUND.md, "Goods in kind", "Resident points"). */
#define CG_FIELDS_fund_goods(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 32, 32, _, "transfer id (32 hex digits, made by the client): a retry is applied once") \
    F(M, STR, site, 1, 1, 32, _, "the charity site (慈善小屋, 慈善超市) of data/kind") \
    F(M, STR, item, 1, 1, 12, _, "the item kind of data/kind (rice, oil, ...)") \
    F(M, INT, quantity, 1, 1, CG_FUND_AMOUNT_MAX, _, "whole units of the item's unit") \
    F(M, STR, to, 0, 1, 32, _, "fund.goods_move: the site that receives") \
    F(M, STR, party, 0, 1, CG_NAME_MAX, _, "fund.goods_in: the donor; fund.goods_out: the family in need (published masked)") \
    F(M, STR, actor, 1, 1, 64, _, "who acts, as the gateway vouches: NAME, or KIND:SCOPE:NAME / admin:NAME (docs/FUND.md, who may do what)") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role: operator, supervisor, admin, grid_worker, ...")

#define CG_FIELDS_fund_goods_receipt(F, M) \
    F(M, STR, id, 1, 32, 32, _, "transfer id") \
    F(M, STR, action, 1, 1, 8, _, "in (donation in kind), out (hand-out), move (to another site), redeem (for points)") \
    F(M, STR, site, 1, 1, 32, _, "the site") \
    F(M, STR, item, 1, 1, 12, _, "the item kind") \
    F(M, STR, unit, 0, 1, 16, _, "its unit (袋, 桶, 件)") \
    F(M, INT, quantity, 1, 1, CG_FUND_AMOUNT_MAX, _, "units") \
    F(M, STR, to, 0, 1, 32, _, "move: the site that received") \
    F(M, STR, party, 0, 1, CG_NAME_MAX, _, "the donor or family, masked (王**)") \
    F(M, INT, entry, 1, 1, INT64_MAX, _, "its ledger entry") \
    F(M, INT, stock, 1, 0, INT64_MAX, _, "what the site holds of the item now") \
    F(M, INT, points, 0, 0, CG_FUND_AMOUNT_MAX, _, "redeem: the points paid") \
    F(M, INT, balance, 0, 0, INT64_MAX, _, "redeem: the resident's points left") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, BOOL, repeat, 0, 0, 1, _, "this id was applied before: the first answer again")

#define CG_FIELDS_fund_stock_line(F, M) \
    F(M, STR, site, 1, 1, 32, _, "site") \
    F(M, STR, item, 1, 1, 12, _, "item kind") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "what the item is called") \
    F(M, STR, unit, 0, 1, 16, _, "its unit") \
    F(M, INT, opening, 0, INT64_MIN, INT64_MAX, _, "report: held at the month's start") \
    F(M, INT, donated, 0, 0, INT64_MAX, _, "report: donations in kind in the month") \
    F(M, INT, handed_out, 0, 0, INT64_MAX, _, "report: handed out to families and redeemed for points") \
    F(M, INT, moved, 0, INT64_MIN, INT64_MAX, _, "report: moved in from (+) and out to (−) other sites") \
    F(M, INT, quantity, 1, INT64_MIN, INT64_MAX, _, "held now (fund.stock) or at the month's end (report)")

#define CG_FIELDS_fund_stock(F, M) \
    F(M, STR, site, 1, 1, 32, _, "site") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, area, 0, 1, CG_CODE_MAX, _, "the community it belongs to") \
    F(M, LIST, items, 0, 0, CG_PAGE_MAX, fund_stock_line, "what it holds, per item kind")

#define CG_FIELDS_fund_site(F, M) \
    F(M, STR, site, 1, 1, 32, _, "site") \
    F(M, STR, name, 1, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, kind, 1, 1, 16, _, "cabin (慈善小屋) or supermarket (慈善超市)") \
    F(M, STR, area, 1, 1, CG_CODE_MAX, _, "the community it belongs to") \
    F(M, STR, area_name, 0, 1, CG_NAME_MAX, _, "the community's name")

#define CG_FIELDS_fund_sites(F, M) \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "the org node asked about") \
    F(M, LIST, sites, 0, 0, CG_PICK_MAX, fund_site, "the sites within scope, in the order of data/kind, limit at most") \
    F(M, INT, total, 0, 0, INT32_MAX, _, "the sites within scope, all of them")

#define CG_FIELDS_fund_redeem(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 32, 32, _, "transfer id (32 hex digits): a retry is applied once") \
    F(M, STR, resident, 1, 1, 40, _, "the resident: the id the points were earned under (a phone's fingerprint, a member or volunteer id)") \
    F(M, STR, site, 1, 1, 32, _, "where they redeem") \
    F(M, STR, item, 1, 1, 12, _, "what they take (its price is in data/points)") \
    F(M, INT, quantity, 1, 1, 1000, _, "units") \
    F(M, STR, actor, 1, 1, 64, _, "who serves at the site, as the gateway vouches") \
    F(M, STR, role, 1, 1, 32, _, "the actor's role")

#define CG_FIELDS_fund_points(F, M) \
    F(M, STR, resident, 1, 1, 40, _, "the resident") \
    F(M, INT, balance, 1, INT64_MIN, INT64_MAX, _, "points held") \
    F(M, INT, earned, 1, 0, INT64_MAX, _, "points ever earned") \
    F(M, INT, total, 1, 0, INT64_MAX, _, "entries of their history") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, history, 0, 0, 200, fund_entry, "this page of their points' entries, oldest first (the memo names the act)")

#define CG_MESSAGES_FUND(M) \
    M(fund_account, "fund.account", "record", CG_FIELDS_fund_account, \
      "An account of a ledger with its balances.") \
    M(fund_account_create, "fund.account.create", "command", CG_FIELDS_fund_account_create, \
      "To fund: open accounts (answered by fund.results; an existing identical account is `exists`).") \
    M(fund_get, "fund.get", "command", CG_FIELDS_fund_get, \
      "To fund, as fund.balance (an account), fund.show (a request), fund.statement, fund.report, fund.publish, fund.verify.") \
    M(fund_transfer, "fund.transfer.item", "record", CG_FIELDS_fund_transfer, \
      "One transfer between two accounts of one ledger.") \
    M(fund_transfer_batch, "fund.transfer", "command", CG_FIELDS_fund_transfer_batch, \
      "To fund: apply transfers, all checks and balances in one atomic step.") \
    M(fund_result, "fund.result", "record", CG_FIELDS_fund_result, "What became of one transfer.") \
    M(fund_results, "fund.results", "reply", CG_FIELDS_fund_results, "The answer to fund.transfer.") \
    M(fund_donate, "fund.donate", "command", CG_FIELDS_fund_donate, \
      "To fund: a donation into a fund or one of its projects.") \
    M(fund_receipt, "fund.receipt", "reply", CG_FIELDS_fund_receipt, "The donor's receipt.") \
    M(fund_request, "fund.request", "command", CG_FIELDS_fund_request, \
      "To fund: ask for a disbursement (or, in the time bank, for minutes earned); the money is reserved at once.") \
    M(fund_request_view, "fund.request.view", "reply", CG_FIELDS_fund_request_view, \
      "A disbursement request and where it stands.") \
    M(fund_requests_query, "fund.requests.query", "command", CG_FIELDS_fund_requests_query, \
      "To fund, as fund.requests: a fund's disbursement requests, newest first, a page at a time.") \
    M(fund_requests_page, "fund.requests.page", "reply", CG_FIELDS_fund_requests_page, \
      "A page of a fund's requests.") \
    M(fund_decide, "fund.decide", "command", CG_FIELDS_fund_decide, \
      "To fund, as fund.approve or fund.reject.") \
    M(fund_approval_requested, "fund.approval_requested", "event", CG_FIELDS_fund_approval_requested, \
      "A request waits for the committee's approval (journal fund).") \
    M(fund_decided, "fund.decided", "event", CG_FIELDS_fund_decided, \
      "A request was decided; the bus topic says how: fund.approved, fund.rejected, fund.expired (journal fund).") \
    M(fund_donated, "fund.donated", "event", CG_FIELDS_fund_donated, \
      "A donation was received (journal fund).") \
    M(fund_entry, "fund.entry", "record", CG_FIELDS_fund_entry, "One entry of the hash-chained ledger.") \
    M(fund_statement, "fund.statement", "reply", CG_FIELDS_fund_statement, "An account's entries.") \
    M(fund_verified, "fund.verified", "reply", CG_FIELDS_fund_verified, \
      "The answer to fund.verify: the chain and the balances recomputed from the entries.") \
    M(fund_stock_line, "fund.stock_line", "record", CG_FIELDS_fund_stock_line, "One item kind at a site.") \
    M(fund_line, "fund.line", "record", CG_FIELDS_fund_line, "One line of a report.") \
    M(fund_report, "fund.report", "reply", CG_FIELDS_fund_report, \
      "The monthly disclosure of a fund (三务公开).") \
    M(fund_report_overdue, "fund.report_overdue", "event", CG_FIELDS_fund_report_overdue, \
      "A month's report was not published by its due date (journal fund).") \
    M(fund_goods, "fund.goods", "command", CG_FIELDS_fund_goods, \
      "To fund, as fund.goods_in (a donation in kind), fund.goods_out (a hand-out to a family in need), fund.goods_move (to another site).") \
    M(fund_goods_receipt, "fund.goods_receipt", "reply", CG_FIELDS_fund_goods_receipt, \
      "What a movement of goods (or a redemption) did; also the body of journal events fund.goods_in, fund.goods_out, fund.goods_moved, fund.redeemed.") \
    M(fund_site, "fund.site", "record", CG_FIELDS_fund_site, "A charity site.") \
    M(fund_sites, "fund.sites", "reply", CG_FIELDS_fund_sites, \
      "The charity sites within a scope (a picking list, bounded).") \
    M(fund_stock, "fund.stock", "reply", CG_FIELDS_fund_stock, \
      "The answer to fund.stock (a fund.get naming a site): what the site holds.") \
    M(fund_redeem, "fund.redeem", "command", CG_FIELDS_fund_redeem, \
      "To fund: a resident redeems points at a site for goods (积分兑换): two linked transfers, points and goods, applied together once.") \
    M(fund_points, "fund.points", "reply", CG_FIELDS_fund_points, \
      "The answer to fund.points (a fund.get naming a resident): their balance and a page of their history.")

#endif
