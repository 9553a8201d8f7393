-- wrk script: a non-streaming chat completion (16 tokens). The request is built once and reused, so wrk spends
-- no Lua time per request. MODEL overrides the model name.
local model = os.getenv("MODEL") or "demo-model"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"' .. model .. '","max_tokens":16,'
        .. '"messages":[{"role":"user","content":"Say hello to the benchmark in a few words."}]}'
