-- notify_take: rate limits.  Each claimed delivery that is about to be sent
-- takes one token from two buckets: its recipient's on its channel, and
-- the channel's.  Both give one, or neither does and the answer is how long
-- to wait.  The buckets live here rather than in the daemon, so a kill -9
-- does not refill them, and they run on the time the daemon passes in (the
-- test clock in tests), never on Redis's own.
--
-- A bucket is kept as one number (GCRA, the generic cell rate algorithm):
-- the theoretical arrival time `tat`, in microseconds, of the next token
-- after those already promised.  A bucket of rate r and burst b gives a
-- token at `now` when tat - (b - 1) / r <= now, and then moves tat on by
-- 1 / r.  A full bucket holds nothing: the key expires when tat is past, so
-- a recipient who has been quiet costs no memory.
-- ARGV: prefix, now (ms), count, then per delivery: recipient bucket,
-- its interval (us per token), its tolerance (us, (burst - 1) * interval),
-- channel bucket, its interval, its tolerance.
-- Answers one number per delivery: 0 (sent now) or the ms to wait.
-- A bucket several deliveries of the call share (their channel's, above
-- all) is read once and written once, after them all.
local prefix, now = ARGV[1], tonumber (ARGV[2]) * 1000
local out, tats, touched = {}, {}, {}

-- The microseconds a bucket wants before it gives a token, and its tat.
local function wait_of (key, tolerance)
    if not tats[key] then
        tats[key] = tonumber (redis.call ('GET', key) or '0')
    end
    local tat = tats[key]
    if tat < now then
        tat = now
    end
    return tat - tolerance - now, tat
end

for i = 0, tonumber (ARGV[3]) - 1 do
    local at = 4 + i * 6
    local keys = { prefix .. 'rate:' .. ARGV[at], prefix .. 'rate:' .. ARGV[at + 3] }
    local intervals = { tonumber (ARGV[at + 1]), tonumber (ARGV[at + 4]) }
    local wait, tats_now = 0, {}
    for k = 1, 2 do
        local w, tat = wait_of (keys[k], tonumber (ARGV[at + 3 * k - 1]))
        tats_now[k] = tat
        if w > wait then
            wait = w
        end
    end
    if wait > 0 then
        out[#out + 1] = math.ceil (wait / 1000)
    else
        for k = 1, 2 do
            if not touched[keys[k]] then
                touched[keys[k]] = true
                touched[#touched + 1] = keys[k]
            end
            tats[keys[k]] = tats_now[k] + intervals[k]
        end
        out[#out + 1] = 0
    end
end
for _, key in ipairs (touched) do
    redis.call ('SET', key, string.format ('%.0f', tats[key]), 'PX',
                math.ceil ((tats[key] - now) / 1000) + 1)
end
return out
