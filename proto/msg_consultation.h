/*  msg_consultation — topics (议题), their stages, meetings, ballots,
    publications and tasks.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_CONSULTATION_H_INCLUDED
#define CG_MSG_CONSULTATION_H_INCLUDED

#define CG_ROSTER_MAX   100     /* members of one body of one community */
#define CG_TASKS_MAX    50      /* tasks of one topic */

#define CG_FIELDS_topic_member(F, M) \
    F(M, STR, body, 1, 1, 32, _, "party_branch, committees, party_members, representatives, invited") \
    F(M, STR, member, 1, 1, 64, _, "the member's id") \
    F(M, STR, name, 0, 1, 64, _, "the member's name") \
    F(M, STR, role, 0, 1, 64, _, "secretary, director, member, property company, owners' committee, ...")

#define CG_FIELDS_topic_create(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, title, 1, 1, 200, _, "the matter, in a line") \
    F(M, STR, description, 0, 1, CG_TEXT_MAX, _, "the matter in full") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "the community or village code") \
    F(M, STR, source, 1, 1, 16, _, "proposal (a resident's), hotspot, government") \
    F(M, STR, procedure, 1, 1, 16, _, "plain (议事协商) or siyi (四议两公开)") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category code, for tasks and hot spots") \
    F(M, STRS, cases, 0, 0, 1000, _, "cases behind the topic") \
    F(M, LIST, invited, 0, 0, CG_ROSTER_MAX, topic_member, "plain: the invited parties (body invited); default the community's roster") \
    F(M, INT, quorum_num, 0, 1, 100, _, "quorum for every body: present * den >= expected * num (default each body's rule, 2/3 unless configured)") \
    F(M, INT, quorum_den, 0, 1, 100, _, "") \
    F(M, INT, approval_num, 0, 1, 100, _, "approval for every body: yes * den > present * num (default each body's rule, 1/2 unless configured)") \
    F(M, INT, approval_den, 0, 1, 100, _, "") \
    F(M, BOOL, secret, 0, 0, 1, _, "secret ballots: who voted is recorded, how is not") \
    F(M, BOOL, revote, 0, 0, 1, _, "a member may change a vote while the ballot is open (open ballots only)") \
    F(M, STR, actor, 1, 1, 64, _, "who raises it")

#define CG_FIELDS_topic_get(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "topic id")

#define CG_FIELDS_topic_act(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "topic id") \
    F(M, STR, actor, 1, 1, 64, _, "who acts") \
    F(M, STR, stage, 0, 1, 32, _, "topic.stage: the stage to open (default the next); topic.publish: the publication") \
    F(M, STR, place, 0, 1, 200, _, "topic.stage: where the stage's meeting is held") \
    F(M, STRS, members, 0, 0, CG_ROSTER_MAX, _, "topic.meeting: members registered present") \
    F(M, STR, member, 0, 1, 64, _, "topic.vote: the voter") \
    F(M, STR, choice, 0, 1, 16, _, "topic.vote: yes, no or abstain") \
    F(M, BOOL, close, 0, 0, 1, _, "topic.tally: close the ballot and record the stage's decision") \
    F(M, STR, text, 0, 1, CG_TEXT_MAX, _, "topic.publish: the text published; topic.task: the work") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "topic.task: category (default the topic's)") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "topic.task: grid") \
    F(M, STR, address, 0, 1, 256, _, "topic.task: address")

#define CG_FIELDS_topic_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, scope, 0, 1, CG_CODE_MAX, _, "topic.list: only topics of this community; topic.public_list: of this node of the org tree and below") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the first page)") \
    F(M, INT, limit, 0, 0, 200, _, "at most this many (default 50)")

#define CG_FIELDS_topic_stage(F, M) \
    F(M, INT, n, 1, 1, 16, _, "position, from 1") \
    F(M, STR, name, 1, 1, 32, _, "proposal 提议, discussion 商议, review 审议, resolution 决议, consultation 协商, resolution_published 决议公开, result_published 实施结果公开") \
    F(M, STR, body, 0, 1, 32, _, "the body that meets (meeting stages)") \
    F(M, STR, state, 1, 1, 16, _, "pending, open, closed") \
    F(M, STR, quorum, 0, 1, 16, _, "share of the body that must be present to decide, e.g. 2/3") \
    F(M, STR, approval, 0, 1, 16, _, "share of those present that must vote for, e.g. >1/2") \
    F(M, STR, place, 0, 1, 200, _, "where the meeting was held") \
    F(M, INT, expected, 0, 0, CG_ROSTER_MAX, _, "members of the body") \
    F(M, INT, attended, 0, 0, CG_ROSTER_MAX, _, "members registered present") \
    F(M, STRS, attendees, 0, 0, CG_ROSTER_MAX, _, "who was present") \
    F(M, INT, voted, 0, 0, CG_ROSTER_MAX, _, "ballots cast") \
    F(M, INT, yes, 0, 0, CG_ROSTER_MAX, _, "for") \
    F(M, INT, no, 0, 0, CG_ROSTER_MAX, _, "against") \
    F(M, INT, abstain, 0, 0, CG_ROSTER_MAX, _, "abstaining") \
    F(M, STR, decision, 0, 1, 16, _, "adopted or rejected, once decided") \
    F(M, STR, text, 0, 1, CG_TEXT_MAX, _, "the published text (publication stages)") \
    F(M, INT, due, 0, 0, CG_TIME_MAX, _, "publication due by") \
    F(M, BOOL, overdue, 0, 0, 1, _, "the publication passed its due date unpublished") \
    F(M, INT, opened, 0, 0, CG_TIME_MAX, _, "when it opened") \
    F(M, INT, closed, 0, 0, CG_TIME_MAX, _, "when it closed (decided or published)")

#define CG_FIELDS_topic_task(F, M) \
    F(M, STR, id, 1, 1, 48, _, "task id: <topic>-<n>, the case's ext_ref") \
    F(M, STR, topic, 1, 1, 32, _, "topic id") \
    F(M, STR, state, 1, 1, 16, _, "pending (not yet at intake), dispatched, closed, dead (a dead letter: refused too often by intake, or its case rejected by dispatch)") \
    F(M, STR, text, 0, 1, CG_TEXT_MAX, _, "the work") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid") \
    F(M, STR, address, 0, 1, 256, _, "address") \
    F(M, STR, case_id, 0, 1, 32, _, "the case dispatch handles it as") \
    F(M, INT, at, 0, 0, CG_TIME_MAX, _, "last change") \
    F(M, INT, tries, 0, 0, 1000, _, "pending, dead: how often intake refused it in this round") \
    F(M, STR, error, 0, 1, 400, _, "pending, dead: the last refusal, or why dispatch rejected its case") \
    F(M, INT, round, 0, 0, INT32_MAX, _, "how often an operator sent it again (topic.retry)")

#define CG_FIELDS_topic_view(F, M) \
    F(M, STR, id, 1, 1, 32, _, "topic id") \
    F(M, STR, title, 1, 1, 200, _, "the matter") \
    F(M, STR, description, 0, 1, CG_TEXT_MAX, _, "in full") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "community or village code") \
    F(M, STR, scope_name, 0, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, source, 1, 1, 16, _, "proposal, hotspot, government") \
    F(M, STR, hotspot, 0, 1, 64, _, "the hot spot that raised it") \
    F(M, STR, procedure, 1, 1, 16, _, "plain or siyi") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category") \
    F(M, STR, state, 1, 1, 16, _, "draft, deliberating, decided, implementing, done, rejected") \
    F(M, STR, rule, 0, 1, 128, _, "open or secret ballot, and the topic's own quorum and approval if it sets them (else each stage's body's)") \
    F(M, STRS, cases, 0, 0, 1000, _, "cases behind it") \
    F(M, LIST, members, 0, 0, 5 * CG_ROSTER_MAX, topic_member, "the rosters, fixed when the topic was raised") \
    F(M, LIST, stages, 0, 0, 16, topic_stage, "the procedure's stages in order") \
    F(M, LIST, tasks, 0, 0, CG_TASKS_MAX, topic_task, "tasks carrying out the resolution") \
    F(M, STR, actor, 0, 1, 64, _, "who raised it") \
    F(M, INT, created, 0, 0, CG_TIME_MAX, _, "when it was raised") \
    F(M, INT, pos, 0, INT64_MIN, INT64_MAX, _, "in a list: its place there (the time it was raised)")

#define CG_FIELDS_topic_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many match") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, topics, 0, 0, 200, topic_view, "this page, newest first (without description, cases, members, stages and tasks)")

#define CG_FIELDS_topic_ballot(F, M) \
    F(M, STR, member, 1, 1, 64, _, "voter") \
    F(M, STR, choice, 1, 1, 16, _, "yes, no, abstain")

#define CG_FIELDS_topic_tally(F, M) \
    F(M, STR, id, 1, 1, 32, _, "topic id") \
    F(M, INT, n, 1, 1, 16, _, "stage") \
    F(M, STR, name, 1, 1, 32, _, "stage name") \
    F(M, INT, expected, 1, 0, CG_ROSTER_MAX, _, "members of the body") \
    F(M, INT, attended, 1, 0, CG_ROSTER_MAX, _, "members present") \
    F(M, INT, voted, 1, 0, CG_ROSTER_MAX, _, "ballots cast") \
    F(M, INT, yes, 1, 0, CG_ROSTER_MAX, _, "for") \
    F(M, INT, no, 1, 0, CG_ROSTER_MAX, _, "against") \
    F(M, INT, abstain, 1, 0, CG_ROSTER_MAX, _, "abstaining") \
    F(M, BOOL, quorum, 1, 0, 1, _, "enough members present") \
    F(M, STR, decision, 0, 1, 16, _, "adopted or rejected, once closed") \
    F(M, STRS, voters, 0, 0, CG_ROSTER_MAX, _, "who voted") \
    F(M, LIST, ballots, 0, 0, CG_ROSTER_MAX, topic_ballot, "how each voted (open ballots only)")

#define CG_FIELDS_topic_event(F, M) \
    F(M, STR, id, 1, 1, 32, _, "topic id") \
    F(M, INT, n, 0, 0, 16, _, "stage") \
    F(M, STR, name, 0, 1, 32, _, "stage name") \
    F(M, STR, actor, 0, 1, 64, _, "who") \
    F(M, STR, member, 0, 1, 64, _, "topic.voted: the voter") \
    F(M, STR, choice, 0, 1, 16, _, "topic.voted: how (open ballots only)") \
    F(M, STRS, members, 0, 0, CG_ROSTER_MAX, _, "topic.attended: the members registered present (they earn resident points, docs/FUND.md)") \
    F(M, STR, decision, 0, 1, 16, _, "topic.decided: adopted or rejected") \
    F(M, STR, scope, 0, 1, CG_CODE_MAX, _, "topic.created, topic.publication_overdue: the community") \
    F(M, STR, hotspot, 0, 1, 64, _, "topic.created: the hot spot behind it") \
    F(M, INT, due, 0, 0, CG_TIME_MAX, _, "topic.stage_opened of a publication, topic.publication_overdue: the due date") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_topic_retry(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, task, 1, 1, 48, _, "task id") \
    F(M, STR, actor, 1, 1, 64, _, "who sends it again") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "another category of the catalog (default the task's)") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "another grid (default the task's)") \
    F(M, STR, address, 0, 1, 256, _, "another address (default the task's)")

#define CG_FIELDS_topic_task_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, state, 0, 1, 16, _, "dead (the dead letters, the default) or pending (the outbox)") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the first page)") \
    F(M, INT, limit, 0, 0, 50, _, "at most this many (default 50, the most: a task's text may take 4,000 bytes)")

#define CG_FIELDS_topic_task_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many are in that state") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, tasks, 0, 0, 50, topic_task, "this page: dead letters newest first, the outbox by next try")

#define CG_FIELDS_topic_publication(F, M) \
    F(M, INT, n, 1, 1, 16, _, "stage") \
    F(M, STR, name, 1, 1, 32, _, "resolution_published 决议公开 or result_published 实施结果公开") \
    F(M, STR, text, 0, 1, CG_TEXT_MAX, _, "the published text, never changed (left out of a page)") \
    F(M, INT, published, 1, 0, CG_TIME_MAX, _, "when it was published")

#define CG_FIELDS_topic_public(F, M) \
    F(M, STR, id, 1, 1, 32, _, "topic id") \
    F(M, STR, title, 1, 1, 200, _, "the matter") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "community or village code") \
    F(M, STR, scope_name, 0, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, procedure, 1, 1, 16, _, "plain or siyi") \
    F(M, LIST, publications, 0, 0, 4, topic_publication, "what was published, in order; nothing else of the topic")

#define CG_FIELDS_topic_public_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many topics of the scope have published something") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, topics, 0, 0, 200, topic_public, "this page, the latest first published first (publications without their texts)")

#define CG_MESSAGES_CONSULTATION(M) \
    M(topic_member, "topic.member", "record", CG_FIELDS_topic_member, \
      "A member of a body that deliberates on a topic.") \
    M(topic_create, "topic.create", "command", CG_FIELDS_topic_create, \
      "To consultation: raise a topic (议题) in a community.") \
    M(topic_get, "topic.get", "command", CG_FIELDS_topic_get, \
      "To consultation, as topic.show: one topic with its stages, rosters and tasks.") \
    M(topic_act, "topic.act", "command", CG_FIELDS_topic_act, \
      "To consultation, as topic.stage (open the next stage), topic.meeting (register attendance), topic.vote, topic.tally (count; with close, decide), topic.publish, topic.task (add a task to an adopted resolution).") \
    M(topic_query, "topic.query", "command", CG_FIELDS_topic_query, \
      "To consultation, as topic.list: topics, newest first.") \
    M(topic_stage, "topic.stage", "record", CG_FIELDS_topic_stage, \
      "One stage of a topic's procedure with its meeting, attendance, tally and decision, or its publication.") \
    M(topic_task, "topic.task", "event", CG_FIELDS_topic_task, \
      "A task carrying out a resolution, sent to intake as a case and linked both ways (journal consultation).") \
    M(topic_view, "topic.view", "reply", CG_FIELDS_topic_view, \
      "A topic as operators and the public see it.") \
    M(topic_page, "topic.page", "reply", CG_FIELDS_topic_page, \
      "A page of topics.") \
    M(topic_ballot, "topic.ballot", "record", CG_FIELDS_topic_ballot, \
      "One member's vote on an open ballot.") \
    M(topic_tally, "topic.tally", "reply", CG_FIELDS_topic_tally, \
      "The count of a stage's ballot, computed by the service.") \
    M(topic_event, "topic.event", "event", CG_FIELDS_topic_event, \
      "Something happened to a topic; the bus topic says what: topic.created, topic.stage_opened, topic.attended, topic.voted, topic.decided, topic.published, topic.publication_overdue (journal consultation).") \
    M(topic_retry, "topic.retry", "command", CG_FIELDS_topic_retry, \
      "To consultation: send a dead-lettered task to intake again, as a new round.") \
    M(topic_task_query, "topic.task_query", "command", CG_FIELDS_topic_task_query, \
      "To consultation, as topic.tasks: the dead letters (tasks refused too often, or whose case dispatch rejected) or the outbox.") \
    M(topic_task_page, "topic.task_page", "reply", CG_FIELDS_topic_task_page, \
      "A page of tasks.") \
    M(topic_publication, "topic.publication", "record", CG_FIELDS_topic_publication, \
      "A published text (决议公开, 实施结果公开): public, immutable.") \
    M(topic_public, "topic.public", "reply", CG_FIELDS_topic_public, \
      "The answer to topic.public (a topic.get, needing no token at the gateway): what anyone may read of a topic, its published texts and nothing else; not_found until something is published.") \
    M(topic_public_page, "topic.public_page", "reply", CG_FIELDS_topic_public_page, \
      "The answer to topic.public_list (a topic.query, needing no token at the gateway): the topics of a scope that have published something.")

#endif
