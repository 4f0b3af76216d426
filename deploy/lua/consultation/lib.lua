-- consultation/lib.lua — put in front of every consultation script.
--
-- A topic (议题) is the hash <prefix>topic:<id> (fields as in topic.view,
-- plus secret, revote, nstages, ntasks and cases as a comma list).  Its
-- meeting stages carry their body's rule as numbers: qn/qd (quorum) and
-- an/ad (approval).  Beside it:
--   topic:<id>:members        hash "<body>|<member>" -> topic.member msgpack
--   topic:<id>:roster:<body>  set of the body's member ids
--   topic:<id>:s:<n>          hash, stage n (fields as in topic.stage)
--   topic:<id>:s:<n>:present  set: the attendance register
--   topic:<id>:s:<n>:voters   set: who voted (kept for secret ballots too;
--                             a secret ballot's choices are only the
--                             stage's counts)
--   topic:<id>:s:<n>:ballots  hash member -> choice (open ballots only)
--   topic:<id>:tasks          sorted set of task ids by number
--   task:<tid>                hash, fields as in topic.task, plus round
--                             (how often an operator sent it again)
--   case:<case>               set of the tasks dispatch carries out as that
--                             case (two when intake merged them; more when
--                             dispatch merged their cases)
--   outbox                    sorted set task id -> next try (system clock
--                             ms; 0 = now): tasks not yet taken by intake
--   dead                      sorted set task id -> when: tasks refused
--                             too often (dead letters), until retried
--   due                       sorted set "<id>|<n>" -> due (ms): open
--                             publications, removed when published or
--                             when found overdue, so the alarm fires once
--   topics, scope:<code>      sorted sets of topic ids by creation
--   published, published:<code>  sorted sets of topic ids by their first
--                             publication, for the community and every
--                             node above it (what the public may read)
--   hotspot                   hash hot spot id -> topic id
--   topic_seq                 the last topic number given out
-- A stage with a body is a meeting; one without is a publication.
--
-- Event bodies are never made here: the daemon encodes them from their
-- definitions in proto/msg_consultation.h (topic.event, topic.task) before
-- the call, from what it read of the topic, and passes the stage it
-- planned for.  A script checks its rules, then that the topic is still
-- where the daemon read it (plan_moved), and only then writes, so a body
-- always says what the script did.
--
-- Scripts answer {'ok', answer, topic, seq, body, ...} with the events they
-- journaled (for the daemon to publish), {'done', answer} for a repeated
-- request id, {'moved', ''} when the daemon's plan is stale (it reads the
-- topic again and retries), or {'refused', code, field, message}: the rule
-- that refuses.

local function refuse (code, field, message)
    return {'refused', code, field, message}
end

local function emit (prefix, out, topic, body)
    out[#out + 1] = topic
    out[#out + 1] = journal_append (prefix, topic, body)
    out[#out + 1] = body
end

local function tkey (prefix, id)
    return prefix .. 'topic:' .. id
end

local function skey (prefix, id, n)
    return prefix .. 'topic:' .. id .. ':s:' .. n
end

-- The first stage not closed: n, its state, name and body; nil when all are.
local function current_stage (prefix, id, nstages)
    for n = 1, nstages do
        local s = redis.call ('HMGET', skey (prefix, id, n), 'state', 'name', 'body')
        if s[1] ~= 'closed' then
            return n, s[1], s[2], s[3]
        end
    end
    return nil
end

-- The stage n, by name, or nil.
local function stage_named (prefix, id, nstages, name)
    for n = 1, nstages do
        if redis.call ('HGET', skey (prefix, id, n), 'name') == name then
            return n
        end
    end
    return nil
end

-- The daemon planned for stage `planned`; the script found stage n.
local function plan_moved (n, planned)
    return tonumber (n) ~= tonumber (planned)
end

local function moved ()
    return {'moved', ''}
end

-- A publication opens as soon as what it publishes is done, due by `due`;
-- body is its topic.stage_opened.
local function open_publication (prefix, out, id, n, now, due, body)
    redis.call ('HSET', skey (prefix, id, n), 'state', 'open', 'opened', now, 'due', due)
    redis.call ('ZADD', prefix .. 'due', due, id .. '|' .. n)
    emit (prefix, out, 'topic.stage_opened', body)
end

-- A topic spec in ARGV from i: nfields, (field, value)..., nstages,
-- (name, body, qn, qd, an, ad)..., nmembers, (body, member, record)...
-- Returns it and the index after it.
local function read_spec (argv, i)
    local spec = {fields = {}, stages = {}, members = {}}
    local n = tonumber (argv[i]); i = i + 1
    for _ = 1, n do
        spec.fields[argv[i]] = argv[i + 1]; i = i + 2
    end
    n = tonumber (argv[i]); i = i + 1
    for _ = 1, n do
        spec.stages[#spec.stages + 1] = {name = argv[i], body = argv[i + 1],
                                         rule = {argv[i + 2], argv[i + 3], argv[i + 4], argv[i + 5]}}
        i = i + 6
    end
    n = tonumber (argv[i]); i = i + 1
    for _ = 1, n do
        spec.members[#spec.members + 1] = {body = argv[i], member = argv[i + 1],
                                           record = argv[i + 2]}
        i = i + 3
    end
    return spec, i
end

-- Topic ids are YS and a number the daemon chose from topic_seq; a
-- number at or below topic_seq is taken.
local function topic_number (id)
    return tonumber (string.match (id, '^YS(%d+)$'))
end

local function topic_id_free (prefix, id)
    return topic_number (id) > tonumber (redis.call ('GET', prefix .. 'topic_seq') or '0')
end

-- A new topic from a spec, with the id the daemon chose and its
-- topic.created; its rosters are copied in now, so that who was expected
-- at a meeting never changes afterwards.
local function topic_make (prefix, out, spec, now, id, body)
    redis.call ('SET', prefix .. 'topic_seq', topic_number (id))
    local key = tkey (prefix, id)
    local f = {'id', id, 'state', 'draft', 'created', now, 'nstages', #spec.stages, 'ntasks', 0}
    for k, v in pairs (spec.fields) do
        f[#f + 1] = k
        f[#f + 1] = v
    end
    redis.call ('HSET', key, unpack (f))
    for n, s in ipairs (spec.stages) do
        local sk = skey (prefix, id, n)
        redis.call ('HSET', sk, 'n', n, 'name', s.name, 'body', s.body, 'state', 'pending')
        if s.body ~= '' then
            local r = s.rule
            redis.call ('HSET', sk, 'qn', r[1], 'qd', r[2], 'an', r[3], 'ad', r[4],
                        'quorum', r[1] .. '/' .. r[2], 'approval', '>' .. r[3] .. '/' .. r[4])
        end
    end
    for _, m in ipairs (spec.members) do
        redis.call ('HSET', key .. ':members', m.body .. '|' .. m.member, m.record)
        redis.call ('SADD', key .. ':roster:' .. m.body, m.member)
    end
    redis.call ('ZADD', prefix .. 'topics', now, id)
    redis.call ('ZADD', prefix .. 'scope:' .. spec.fields.scope, now, id)
    emit (prefix, out, 'topic.created', body)
end

-- The stage that takes ballots now: n, name, body; or a refusal.
local function open_meeting (prefix, id)
    local nstages = redis.call ('HGET', tkey (prefix, id), 'nstages')
    if not nstages then
        return nil, refuse ('not_found', 'id', 'there is no topic ' .. id)
    end
    local n, state, name, body = current_stage (prefix, id, tonumber (nstages))
    if not n or state ~= 'open' or body == '' then
        local what = n and string.format ('stage %d (%s) is %s', n, name, state)
                     or 'every stage is closed'
        return nil, refuse ('conflict', 'id', string.format (
            'no meeting of topic %s is open: %s; attendance and votes are taken only while '
            .. 'a stage\'s meeting is open', id, what))
    end
    return n, name, body
end

-- A member's refusal unless they are on the roster of the body that
-- meets at stage n (name) of topic id; `does` is what only members do.
local function not_on_roster (prefix, id, body, member, field, n, name, does)
    if redis.call ('SISMEMBER', tkey (prefix, id) .. ':roster:' .. body, member) == 1 then
        return nil
    end
    return refuse ('forbidden', field, string.format (
        '%s is not on the roster of %s for topic %s; only its members %s at stage %d (%s)',
        member, body, id, does, n, name))
end
