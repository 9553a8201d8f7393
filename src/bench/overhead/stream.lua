-- wrk script: a streaming chat completion (16 tokens as server-sent events, then "data: [DONE]"). wrk's latency
-- is the time to the end of the chunked response, i.e. the whole stream. MODEL overrides the model name.
local model = os.getenv("MODEL") or "demo-model"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","max_tokens":16,"stream":true,'
        .. '"messages":[{"role":"user","content":"Say hello to the benchmark in a few words."}]}'
